// Runs challenges/static/js/filecheck.js on many files in one Node process, for
// tests/test_filecheck_js.py. Reads a JSON list on stdin; prints a JSON list of the answers,
// in order: {"spec": {...}, "data": "<base64>"} -> checkText's {"problems": [...], "hints": [...]};
// {"file": "<base64>", "spec": {...}} -> what checkFile gives for such a File (a Blob here);
// {"repr": "text"} and {"float": number} -> the text as Python's repr() writes it.
"use strict";

const path = require("path");
const filecheck = path.join(__dirname, "..", "challenges", "static", "js", "filecheck.js");
const { checkFile, checkText, floatRepr, repr } = require(filecheck);

const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", async () => {
  const items = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const results = [];
  for (const item of items) results.push(await answer(item));
  process.stdout.write(JSON.stringify(results));
});

function answer(item) {
  if ("repr" in item) return repr(item.repr);
  if ("float" in item) return floatRepr(item.float);
  if ("file" in item) return checkFile(new Blob([Buffer.from(item.file, "base64")]), item.spec);
  return checkText(Buffer.from(item.data, "base64"), item.spec);
}
