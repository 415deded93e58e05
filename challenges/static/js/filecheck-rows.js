/* The file check's rows (the client's vsegrader_client/plain.py): the header's columns, the
 * rows and their fields, then the ids, the labels and the numbers, each refused with the
 * client's message. One of three parts, after filecheck-text.js, whose helpers it uses.
 */
(function (root) {
  "use strict";

  const inNode = typeof module !== "undefined" && module.exports;
  const {
    MAX_MESSAGES,
    Refused,
    CannotTell,
    Problems,
    strip,
    repr,
    quote,
    floatRepr,
    plural,
    textStart,
    contentEnd,
    readHeader,
    longestLine,
    decodeBody,
    csvRecords,
  } = inNode ? require("./filecheck-text.js") : root.vsegraderFileCheckParts;

  const MAX_LINE_BYTES = 1 << 19; // from here the server's messages depend on its reader
  const MAX_MAGNITUDE = 1e100;
  const TOO_LARGE = "is too large to score (numbers must lie between -1e100 and 1e100)";
  const MULTILINE = "A quoted value spans several lines; each row must be on one line";
  const PANDAS_INDEX_HINT = " (was a pandas index saved? Use to_csv(index=False))";
  const OTHER_SEPARATORS = [[";", "';'"], ["\t", "tabs"], ["|", "'|'"]];
  const NUMBER = new RegExp( // plain.py's, with its (?i) spelled out for ASCII letters only
    "^[ \\t]*[+-]?(?:(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?" +
      "|[iI][nN][fF]|[iI][nN][fF][iI][nN][iI][tT][yY]|[nN][aA][nN])[ \\t]*$"
  );

  function checkHeader(names, headerText, expected) {
    const problems = new Problems();
    const missing = expected.filter((name) => !names.includes(name));
    const separator = missing.length ? otherSeparator(headerText, names) : null;
    if (separator) {
      const message = `Columns must be separated by commas; this file seems to use ${separator}`;
      throw new Refused([message]);
    }
    missing.forEach((name) => problems.add(`Required column ${repr(name)} could not be found`));
    const firstPosition = new Map();
    names.forEach((name, index) => {
      const position = index + 1;
      if (!firstPosition.has(name)) firstPosition.set(name, position);
      if (!name) {
        const hint = position === 1 ? PANDAS_INDEX_HINT : "";
        problems.add(`Column ${position} of the header has no name${hint}`);
      } else if (firstPosition.get(name) !== position) {
        problems.add(`Column ${quote(name)} appears more than once`);
      } else if (!expected.includes(name)) {
        const hint = name.startsWith("Unnamed: ") ? PANDAS_INDEX_HINT : "";
        problems.add(`Unexpected column ${quote(name)}${hint}`);
      }
    });
    problems.raiseIfAny();
  }

  function otherSeparator(text, names) {
    for (const [separator, description] of OTHER_SEPARATORS) {
      if (text.includes(separator) && text.split(separator).length > names.length) {
        return description;
      }
    }
    return null;
  }

  // --- the rows (vsegrader_client/plain.py) -------------------------------------------------

  function readTable(data, spec) {
    const start = textStart(data);
    const [names, bodyStart, headerLine] = readHeader(data, start);
    checkHeader(names, headerLine, columnsOf(spec));
    const body = data.subarray(bodyStart, Math.max(contentEnd(data, start), bodyStart));
    if (longestLine(body) >= MAX_LINE_BYTES) throw new CannotTell();
    const table = readRows(decodeBody(body).replace(/^\ufeff/, ""), names);
    table.hasPadding = body.includes(32) || body.includes(9);
    const floats = spec.targets.filter((target) => target.kind !== "label");
    checkNumberTexts(table, floats.map((target) => target.name));
    return table;
  }

  const columnsOf = (spec) => [spec.id_column, ...spec.targets.map((target) => target.name)];

  const column = (table, name) => table.columns[table.names.indexOf(name)];

  /** The rows as columns of text, with the file line of each; rows that span lines, then
   * rows with the wrong number of fields, are refused, in the server's order. */
  function readRows(text, names) {
    const plain = !text.includes('"') && !text.includes("\0") && !/\r(?!\n)/.test(text);
    const table = { names, lines: [], columns: names.map(() => []) };
    const problems = new Problems();
    const addRow = (line, fields) => {
      if (fields.length === names.length) {
        if (!problems.messages.length) {
          table.lines.push(line);
          fields.forEach((field, index) => table.columns[index].push(field));
        }
      } else if (problems.messages.length < MAX_MESSAGES) {
        const count = fields.length;
        const columns = `${count} ${plural(count, "column")}`;
        problems.add(`Line ${line} has ${columns}; expected ${names.length}`);
      } else problems.more++;
    };
    if (plain) splitPlain(text, addRow);
    else readQuoted(text).forEach(([line, fields]) => addRow(line, fields));
    problems.raiseIfAny();
    return table;
  }

  function splitPlain(text, addRow) {
    let line = 2;
    for (let position = 0; position <= text.length; line++) {
      let end = text.indexOf("\n", position);
      if (end < 0) end = text.length;
      const stop = end > position && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      if (stop > position) addRow(line, text.slice(position, stop).split(","));
      position = end + 1;
    }
  }

  function readQuoted(text) {
    const records = [];
    let spans = false;
    let consumed = 0;
    for (const [fields, lineNumber] of csvRecords(text, false)) {
      if (fields.length) {
        records.push([2 + consumed, fields]);
        spans = spans || lineNumber - consumed > 1;
      }
      consumed = lineNumber;
    }
    if (spans) throw new Refused([MULTILINE]);
    return records;
  }

  function checkNumberTexts(table, names) {
    const problems = new Problems();
    for (const name of names) {
      const texts = column(table, name);
      const bad = rowsWhere(texts, (text) => text && !NUMBER.test(text));
      problems.addRows(bad, (row) => {
        const text = texts[row];
        const problem = strip(text) ? `${quote(text)} is not a number` : "missing value";
        return `Column ${repr(name)} line ${table.lines[row]}: ${problem}`;
      });
    }
    problems.raiseIfAny();
  }

  function rowsWhere(values, test) {
    const rows = [];
    values.forEach((value, row) => test(value) && rows.push(row));
    return rows;
  }

  // --- ids and values ---------------------------------------------------------------------

  function checkTable(table, spec) {
    const problems = new Problems();
    const ids = readIds(table, spec.id_column, problems);
    checkIds(ids, table, spec.row_count, spec.ids, problems);
    spec.targets.forEach((target) => checkTarget(table, target, problems));
    problems.raiseIfAny();
  }

  function readIds(table, name, problems) {
    const trim = table.hasPadding ? strip : (text) => text;
    const ids = column(table, name).map((text) => (text === "" ? null : trim(text)));
    reportRows(name, rowsWhere(ids, (id) => id === null), "missing value", table, problems);
    return ids;
  }

  function checkIds(ids, table, rowCount, expected, problems) {
    const same = (id, row) => id === expected[row];
    if (expected && ids.length === expected.length && ids.every(same)) return;
    if (ids.length !== rowCount) {
      problems.add(`Submission must have ${rowCount} rows (found ${ids.length})`);
    }
    if (!expected) return;
    const known = new Set(expected);
    const unknown = rowsWhere(ids, (id) => id !== null && !known.has(id));
    problems.addRows(unknown, (row) => `Unknown id ${quote(ids[row])} on line ${table.lines[row]}`);
    const firstRow = new Map();
    const repeats = new Map(); // only the ids seen more than once, with all their rows
    ids.forEach((id, row) => {
      if (id === null) return;
      const first = firstRow.get(id);
      if (first === undefined) firstRow.set(id, row);
      else (repeats.get(id) || repeats.set(id, [first]).get(id)).push(row);
    });
    const repeated = [...repeats.keys()].filter((id) => known.has(id)).length;
    if (repeated) {
      const groups = [...repeats].sort((a, b) => a[1][0] - b[1][0]).slice(0, MAX_MESSAGES);
      for (const [id, rows] of groups) {
        problems.add(`Duplicate id ${quote(id)} on ${describeLines(table, rows)}`);
      }
      problems.more += Math.max(repeated - groups.length, 0);
    }
    const missing = expected.filter((id) => !firstRow.has(id));
    if (missing.length) {
      const examples = missing.slice(0, 3).map((id) => quote(id)).join(", ");
      problems.add(
        missing.length === 1
          ? `Missing ids: 1 id of the test set is absent: ${examples}`
          : `Missing ids: ${missing.length} ids of the test set are absent, e.g. ${examples}`
      );
    }
  }

  function describeLines(table, rows, shownLines = 5) {
    const lines = rows.slice(0, shownLines).map((row) => String(table.lines[row]));
    if (rows.length > shownLines) {
      return `lines ${lines.join(", ")} and ${rows.length - shownLines} more lines`;
    }
    if (lines.length === 1) return "line " + lines[0];
    return `lines ${lines.slice(0, -1).join(", ")} and ${lines[lines.length - 1]}`;
  }

  function checkTarget(table, target, problems) {
    const texts = column(table, target.name);
    const empty = rowsWhere(texts, (text) => text === "");
    reportRows(target.name, empty, "missing value", table, problems);
    if (target.kind === "label") checkLabels(target, texts, table, problems);
    else checkNumbers(target, texts, table, problems);
  }

  function checkLabels(target, texts, table, problems) {
    const labels = (target.labels || []).map(String);
    const allowed = new Set(labels.map(strip));
    const isAllowed = (text) => allowed.has(text) || allowed.has(strip(text));
    const unknown = rowsWhere(texts, (text) => text && !isAllowed(text));
    const listed = labels.join(", ");
    problems.addRows(
      unknown,
      (row) =>
        `Column ${repr(target.name)} line ${table.lines[row]}: ` +
        `${quote(strip(texts[row]))} is not one of the allowed labels ${listed}`
    );
  }

  function parseNumber(text) {
    const value = Number(text); // the text is a number (checkNumberTexts): exact, or NaN for "inf"
    if (!Number.isNaN(value)) return value;
    const word = text.replace(/^[ \t]+|[ \t]+$/g, "").toLowerCase();
    const unsigned = word.replace(/^[+-]/, "");
    if (unsigned === "nan") return NaN;
    if (unsigned !== "inf" && unsigned !== "infinity") return NaN; // not reached
    return word[0] === "-" ? -Infinity : Infinity;
    return Number(word);
  }

  function checkNumbers(target, texts, table, problems) {
    const values = texts.map((text) => (text ? parseNumber(text) : null));
    const probability = target.kind === "probability";
    const [low, high] = probability ? [0, 1] : [-MAX_MAGNITUDE, MAX_MAGNITUDE];
    const odd = rowsWhere(values, (value) => value !== null && !(low <= value && value <= high));
    const nan = odd.filter((row) => Number.isNaN(values[row]));
    reportRows(target.name, nan, "NaN is not allowed", table, problems);
    const infinite = odd.filter((row) => Math.abs(values[row]) === Infinity);
    reportRows(target.name, infinite, "infinity is not allowed", table, problems);
    const problem = probability ? "is not a probability between 0 and 1" : TOO_LARGE;
    problems.addRows(
      odd.filter((row) => Number.isFinite(values[row])),
      (row) =>
        `Column ${repr(target.name)} line ${table.lines[row]}: ${floatRepr(values[row])} ${problem}`
    );
  }

  function reportRows(name, rows, problem, table, problems) {
    problems.addRows(rows, (row) => `Column ${repr(name)} line ${table.lines[row]}: ${problem}`);
  }

  const part = { readTable, checkTable };
  if (inNode) module.exports = part;
  else Object.assign(root.vsegraderFileCheckParts, part);
})(typeof self !== "undefined" ? self : this);
