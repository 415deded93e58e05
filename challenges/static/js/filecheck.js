/* The submission file check, in the browser: the command-line client's check
 * (client/vsegrader_client/plain.py, format/text.py, problems.py, hints.py) ported line for
 * line, so that a file refused here gets the server's own messages, in the same order, with
 * the same cap of 10 and "and N more problems". tests/test_filecheck_js.py holds the two to
 * the same verdicts on generated hostile files: keep them in step.
 *
 *   window.vsegraderFileCheck.checkFile(file, spec)   -> Promise<{problems, hints}>
 *   window.vsegraderFileCheck.checkText(bytesOrString, spec) -> {problems, hints}
 *
 * `problems` empty: nothing to refuse (a file only the server's reader can judge, such as one
 * with a line over 512 KiB, is left to the server, as the client leaves it). `hints` are the
 * client's advice ("hint: did you mean 'id'? ...") for a refused file. checkFile reads the
 * file in a Web Worker running this same script, so a large file does not freeze the page.
 * Under Node (tests/filecheck_node.js) the script exports the same functions.
 *
 * Three parts: filecheck-text.js (Python's text handling and the bytes), filecheck-rows.js
 * (the rows and their values) and this one (hints and the interface). A page loads the two
 * parts before this script; a worker running this script imports them from beside it.
 *
 * `spec` is the JSON of /challenges/<slug>/submission-spec.json
 * (challenges/submissions/browser_spec.py):
 *   {"id_column": "id", "columns": ["id", "y"],
 *    "targets": [{"name": "y", "kind": "float" | "label" | "probability", "labels": []}],
 *    "row_count": 1000,
 *    "ids": ["0", "1", ...] | null,  // the test set's ids in the solution's order, if known
 *    "max_bytes": 52428800}          // the upload limit, as the server computes it
 */
(function (root) {
  "use strict";

  const inNode = typeof module !== "undefined" && module.exports;
  const inWorkerScope =
    !inNode && typeof window === "undefined" && typeof root.importScripts === "function";
  // A worker runs this script alone: it loads the parts from beside it, as relative URLs
  // resolve against the worker's own script.
  if (inWorkerScope) root.importScripts("filecheck-text.js", "filecheck-rows.js");
  const parts = inNode
    ? { ...require("./filecheck-text.js"), ...require("./filecheck-rows.js") }
    : root.vsegraderFileCheckParts;
  const { MAX_HEADER_BYTES, Refused, CannotTell, shown, strip, repr, floatRepr } = parts;
  const { startsWith, readTable, checkTable } = parts;

  const MB = 1024 * 1024;

  // --- hints (vsegrader_client/hints.py) ----------------------------------------------------

  const UNKNOWN_ID = /^Unknown id '(.*)' on line \d+$/;
  const BAD_LABEL = /^Column '(.*)' line \d+: '(.*)' is not one of the allowed labels/;
  const MISSING_COLUMN = /^Required column '(.*)' could not be found$/;
  const FLOAT_INTEGER = /^[+-]?[0-9]+\.0*$/;
  const FRACTION = /^0?\.[0-9]*[1-9][0-9]*$/; // strictly between 0 and 1: 0.73, .5

  function hints(data, spec, errors) {
    const found = [
      excel(data),
      ...headerCase(errors, headerOf(data)),
      ...floatIds(errors),
      ...floatLabels(spec, errors),
      ...probabilityLabels(spec, errors),
    ];
    return [...new Set(found.filter(Boolean))].map((text) => "hint: " + text);
  }

  function headerOf(data) {
    const head = data.subarray(0, MAX_HEADER_BYTES);
    const newline = head.indexOf(10);
    const first = new TextDecoder("utf-8").decode(newline < 0 ? head : head.subarray(0, newline));
    return first.replace(/\r+$/, "").split(",").map((name) => strip(name).replace(/^"+|"+$/g, ""));
  }

  function excel(data) {
    const head = data.subarray(0, 4096);
    const text = String.fromCharCode(...head);
    let kind;
    const zipped = text.includes("xl/") || text.includes("[Content_Types]");
    if (startsWith(head, [0x50, 0x4b, 3, 4]) && zipped) {
      kind = "an Excel workbook (.xlsx)";
    } else if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0])) {
      kind = "an old Excel workbook (.xls)";
    } else return null;
    return (
      `this is ${kind}, not a CSV file: save it as 'CSV UTF-8', or in pandas ` +
      "df.to_csv('submission.csv', index=False)"
    );
  }

  function headerCase(errors, header) {
    const present = new Map(header.map((name) => [strip(name).toLowerCase(), strip(name)]));
    const out = [];
    for (const message of errors) {
      const wanted = (message.match(MISSING_COLUMN) || [])[1];
      const found = wanted && present.get(wanted.toLowerCase());
      if (found !== undefined && wanted && found !== wanted) {
        const header = `The header has ${repr(found)}; column names are case-sensitive`;
        out.push(`did you mean ${repr(wanted)}? ${header}`);
      }
    }
    return out;
  }

  function floatIds(errors) {
    for (const message of errors) {
      const match = message.match(UNKNOWN_ID);
      if (match && FLOAT_INTEGER.test(match[1]) && match[1].includes(".")) {
        return [
          `ids are written as numbers with a decimal point (${match[1]}): ` +
            "write them as integers, e.g. df['id'] = df['id'].astype(int)",
        ];
      }
    }
    return [];
  }

  const isInteger = (label) => /^-?[0-9]+$/.test(String(label));

  function floatLabels(spec, errors) {
    const integerLabels = labelled(spec, (labels) => labels.every(isInteger));
    const found = firstBadLabel(errors, integerLabels, FLOAT_INTEGER);
    if (!found) return [];
    const [column, value] = found;
    const name = repr(column);
    const integer = BigInt(Math.trunc(Number(value))).toString();
    const example = `(e.g. df[${name}] = df[${name}].astype(int))`;
    return [`the labels of ${name} are integers: write ${integer}, not ${value} ${example}`];
  }

  function probabilityLabels(spec, errors) {
    const binary = labelled(spec, (labels) => labels.map(String).sort().join() === "0,1");
    const found = firstBadLabel(errors, binary, FRACTION);
    if (!found) return [];
    const [column, value] = found;
    const name = repr(column);
    return [
      `the values of ${name} look like probabilities (${value}): write the predicted ` +
        `label, 0 or 1 (e.g. df[${name}] = (df[${name}] >= 0.5).astype(int))`,
    ];
  }

  // The names of the label targets whose allowed labels `fit` (hints.labelled).
  function labelled(spec, fit) {
    const labels = (t) => [...(t.labels || [])];
    return new Set(
      spec.targets
        .filter((t) => t.kind === "label" && labels(t).length && fit(labels(t)))
        .map((t) => t.name)
    );
  }

  // [column, value] of the first "not one of the allowed labels" message about one of
  // `names` whose value matches `pattern`; null if none (hints.first_bad_label).
  function firstBadLabel(errors, names, pattern) {
    for (const message of errors) {
      const match = message.match(BAD_LABEL);
      if (match && names.has(match[1]) && pattern.test(match[2])) return [match[1], match[2]];
    }
    return null;
  }

  // --- the interface ----------------------------------------------------------------------

  function checkText(input, spec) {
    const data =
      typeof input === "string"
        ? new TextEncoder().encode(input)
        : input instanceof Uint8Array
          ? input
          : new Uint8Array(input);
    let errors = [];
    if (!data.length) errors = ["The file is empty."]; // as the server's upload check says
    else {
      try {
        checkTable(readTable(data, spec), spec);
      } catch (error) {
        if (error instanceof Refused) errors = shown(error);
        else if (!(error instanceof CannotTell)) throw error;
      }
    }
    return { problems: errors, hints: errors.length ? hints(data, spec, errors) : [] };
  }

  const tooLarge = (limit) => `The file is too large: the limit is ${Math.floor(limit / MB)} MB.`;

  /** Reads the File and checks it in a worker (this same script), so that a 30 MB file does
   * not freeze the page; where a worker cannot run, on the page itself. A check that fails
   * for any other reason refuses nothing: the server has the last word anyway. */
  function checkFile(file, spec) {
    if (spec.max_bytes && file.size > spec.max_bytes) {
      return Promise.resolve({ problems: [tooLarge(spec.max_bytes)], hints: [] });
    }
    return file
      .arrayBuffer()
      .then((buffer) => inWorker(buffer, spec).catch(() => checkText(buffer, spec)))
      .catch(() => ({ problems: [], hints: [] }));
  }

  const script = typeof document !== "undefined" ? document.currentScript : null;
  const scriptUrl = script ? script.src : null;

  function inWorker(buffer, spec) {
    return new Promise((resolve, reject) => {
      if (!scriptUrl || typeof Worker === "undefined") return reject(new Error("no worker"));
      const worker = new Worker(scriptUrl);
      const finish = (settle, value) => {
        worker.terminate();
        settle(value);
      };
      worker.onmessage = ({ data }) => finish(data.error ? reject : resolve, data.error || data);
      worker.onerror = (event) => finish(reject, event);
      worker.postMessage({ buffer, spec });
    });
  }

  const api = { checkText, checkFile, floatRepr, repr };
  if (inNode) module.exports = api;
  else if (typeof window !== "undefined") window.vsegraderFileCheck = api;
  else if (inWorkerScope) {
    root.onmessage = (event) => {
      try {
        root.postMessage(checkText(event.data.buffer, event.data.spec));
      } catch (error) {
        root.postMessage({ error: String(error) });
      }
    };
  }
})(typeof self !== "undefined" ? self : this);
