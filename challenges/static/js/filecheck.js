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

  const MAX_MESSAGES = 10;
  const MAX_HEADER_BYTES = 1 << 16;
  const MAX_LINE_BYTES = 1 << 19; // from here the server's messages depend on its reader
  const FIELD_LIMIT = 131072; // Python's csv.field_size_limit()
  const MAX_MAGNITUDE = 1e100;
  const MB = 1024 * 1024;
  const TOO_LARGE = "is too large to score (numbers must lie between -1e100 and 1e100)";
  const MULTILINE = "A quoted value spans several lines; each row must be on one line";
  const PANDAS_INDEX_HINT = " (was a pandas index saved? Use to_csv(index=False))";
  const OTHER_SEPARATORS = [[";", "';'"], ["\t", "tabs"], ["|", "'|'"]];
  const NUMBER = new RegExp( // plain.py's, with its (?i) spelled out for ASCII letters only
    "^[ \\t]*[+-]?(?:(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?" +
      "|[iI][nN][fF]|[iI][nN][fF][iI][nN][iI][tT][yY]|[nN][aA][nN])[ \\t]*$"
  );
  const PY_SPACE = // what Python's str.strip() strips
    "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, "g");
  const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Z}]/u; // Python's str.isprintable()
  // Assigned after Unicode 14, the Python 3.11 server's: unprintable there, so repr escapes them.
  const PY_UNASSIGNED =
    "88f 897 c5c cdc cf3 ece 1acf-1add 1ae0-1aeb 1b4e-1b4f 1b7f 1c89-1c8a 20c1 2427-2429 " +
    "2b96 2ffc-2fff 31e4-31e5 31ef a7cb-a7cf a7d2 a7d4 a7da-a7dc a7f1 fbc3-fbd2 fd90-fd91 " +
    "fdc8-fdce 105c0-105f3 10940-10959 10d40-10d65 10d69-10d85 10d8e-10d8f 10ec2-10ec7 " +
    "10ed0-10ed8 10efa-10eff 1123f-11241 11380-11389 1138b 1138e 11390-113b5 113b7-113c0 " +
    "113c2 113c5 113c7-113ca 113cc-113d5 113d7-113d8 113e1-113e2 116d0-116e3 11b00-11b09 " +
    "11b60-11b67 11bc0-11be1 11bf0-11bf9 11db0-11ddb 11de0-11de9 11f00-11f10 11f12-11f3a " +
    "11f3e-11f5a 1342f 13440-13455 13460-143fa 16100-16139 16d40-16d79 16ea0-16eb8 " +
    "16ebb-16ed3 16ff2-16ff6 187f8-187ff 18cff 18d09-18d1e 18d80-18df2 1b132 1b155 " +
    "1cc00-1ccfc 1cd00-1ceb3 1ceba-1ced0 1cee0-1cef0 1d2c0-1d2d3 1df25-1df2a 1e030-1e06d " +
    "1e08f 1e4d0-1e4f9 1e5d0-1e5fa 1e5ff 1e6c0-1e6de 1e6e0-1e6f5 1e6fe-1e6ff 1f6d8 1f6dc " +
    "1f774-1f77f 1f7d9 1f8b2-1f8bb 1f8c0-1f8c1 1f8d0-1f8d8 1fa54-1fa57 1fa75-1fa77 " +
    "1fa87-1fa8a 1fa8e-1fa8f 1faad-1faaf 1fabb-1fabf 1fac6 1fac8 1facd-1facf 1fada-1fadc " +
    "1fadf 1fae8-1faea 1faef 1faf7-1faf8 1fbcb-1fbef 1fbfa 2b739-2b73f 2cea2-2cead " +
    "2ebf0-2ee5d 31350-33479";
  const UNASSIGNED_IN_PYTHON = new RegExp(
    `[${PY_UNASSIGNED.split(" ").map((r) => r.replace(/\w+/g, "\\u{$&}")).join("")}]`,
    "u"
  );

  class Refused {
    constructor(messages, more) {
      this.messages = messages;
      this.more = more || 0;
    }
  }
  class CannotTell {}

  // --- Python's str methods, as the messages use them --------------------------------------

  const strip = (text) => text.replace(PY_STRIP, "");

  function repr(text) {
    const mark = text.includes("'") && !text.includes('"') ? '"' : "'";
    let out = mark;
    for (const char of text) {
      const code = char.codePointAt(0);
      if (char === mark || char === "\\") out += "\\" + char;
      else if (char === "\t") out += "\\t";
      else if (char === "\n") out += "\\n";
      else if (char === "\r") out += "\\r";
      else if (code === 32 || (code > 32 && code < 127)) out += char;
      else if (code >= 127 && printable(char)) out += char;
      else if (code <= 0xff) out += "\\x" + hex(code, 2);
      else if (code <= 0xffff) out += "\\u" + hex(code, 4);
      else out += "\\U" + hex(code, 8);
    }
    return out + mark;
  }

  const printable = (char) => !NOT_PRINTABLE.test(char) && !UNASSIGNED_IN_PYTHON.test(char);
  const hex = (code, width) => code.toString(16).padStart(width, "0");

  function quote(text, limit = 40) {
    const chars = Array.from(text);
    return chars.length > limit ? repr(chars.slice(0, limit).join("")) + "…" : repr(text);
  }

  /** Python's repr of a float: the shortest digits, fixed notation for 1e-4 <= |x| < 1e16. */
  function floatRepr(value) {
    if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
    let text = String(Math.abs(value));
    let exponent = 0;
    const e = text.indexOf("e");
    if (e >= 0) [text, exponent] = [text.slice(0, e), Number(text.slice(e + 1))];
    const [whole, fraction = ""] = text.split(".");
    let digits = whole + fraction;
    let point = whole.length + exponent; // value = 0.<digits> * 10 ** point
    const zeros = digits.length - digits.replace(/^0+/, "").length;
    digits = digits.slice(zeros).replace(/0+$/, "");
    point -= zeros;
    const sign = value < 0 ? "-" : "";
    if (point <= -4 || point > 16) {
      const mantissa = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
      const power = point - 1;
      const digitsOfPower = String(Math.abs(power)).padStart(2, "0");
      return `${sign}${mantissa}e${power < 0 ? "-" : "+"}${digitsOfPower}`;
    }
    if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
    if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}.0`;
    return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }

  const plural = (count, noun) => (count === 1 ? noun : noun + "s");

  // --- collecting problems (vsegrader_client/problems.py) ----------------------------------

  class Problems {
    constructor() {
      this.messages = [];
      this.more = 0;
    }
    add(message) {
      this.messages.push(message);
    }
    addRows(rows, describe) {
      this.messages.push(...rows.slice(0, MAX_MESSAGES).map(describe));
      this.more += Math.max(rows.length - MAX_MESSAGES, 0);
    }
    raiseIfAny() {
      if (this.messages.length || this.more) throw new Refused(this.messages, this.more);
    }
  }

  function shown(refused) {
    const total = refused.messages.length + refused.more;
    const errors = refused.messages.slice(0, MAX_MESSAGES);
    const hidden = total - errors.length;
    if (hidden) errors.push(`and ${hidden} more ${plural(hidden, "problem")}`);
    return errors;
  }

  // --- bytes (vsegrader_client/format/text.py) ---------------------------------------------

  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

  function startsWith(data, bytes) {
    return bytes.length <= data.length && bytes.every((byte, i) => data[i] === byte);
  }

  function find(data, byte, from, to) {
    const at = data.subarray(from, Math.min(to, data.length)).indexOf(byte);
    return at < 0 ? -1 : from + at;
  }

  function textStart(data) {
    const head = data.subarray(0, 4096);
    if (startsWith(head, [0xff, 0xfe, 0, 0]) || startsWith(head, [0, 0, 0xfe, 0xff])) {
      throw new Refused(["The file must be UTF-8 encoded (found UTF-32)"]);
    }
    if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff]) || looksLikeUtf16(head)) {
      throw new Refused(["The file must be UTF-8 encoded (found UTF-16)"]);
    }
    const start = startsWith(head, [0xef, 0xbb, 0xbf]) ? 3 : 0;
    if (contentEnd(data, start) === start) throw new Refused(["The file is empty"]);
    if (find(data, 0, start, start + 4096) !== -1) {
      throw new Refused(["The file is not a CSV text file (it contains binary data)"]);
    }
    return start;
  }

  function looksLikeUtf16(head) {
    if (head.length < 4) return false;
    const zeros = [0, 0];
    head.forEach((byte, i) => (zeros[i % 2] += byte === 0 ? 1 : 0));
    const even = zeros[0] / Math.ceil(head.length / 2);
    const odd = zeros[1] / Math.floor(head.length / 2);
    return Math.max(even, odd) > 0.6 && Math.min(even, odd) < 0.1;
  }

  function contentEnd(data, start) {
    let end = data.length;
    while (end > start && [32, 9, 13, 10].includes(data[end - 1])) end--;
    return end;
  }

  const notUtf8 = (line) =>
    `The file must be UTF-8 encoded (line ${line} has bytes that are not UTF-8)`;

  function readHeader(data, start) {
    const ends = [10, 13].map((byte) => find(data, byte, start, start + MAX_HEADER_BYTES + 1));
    const found = ends.filter((end) => end !== -1);
    const end = found.length ? Math.min(...found) : data.length;
    if (end - start > MAX_HEADER_BYTES) {
      throw new Refused(["The first line (the header) is too long to be a header"]);
    }
    let text;
    try {
      text = decoder.decode(data.subarray(start, end));
    } catch (error) {
      throw new Refused([notUtf8(1)]);
    }
    if (!strip(text)) throw new Refused(["The first line must be a header naming the columns"]);
    const names = (csvRecords(text, true)[0] || [[], 1])[0].map(columnName);
    const crlf = data[end] === 13 && data[end + 1] === 10;
    const next = Math.min(crlf ? end + 2 : end + 1, data.length);
    return [names, next, decoder.decode(data.subarray(start, next))]; // with its line end
  }

  function columnName(field) {
    let name = strip(field);
    if (name.length >= 2 && name[0] === '"' && name[name.length - 1] === '"') {
      name = name.slice(1, -1).replaceAll('""', '"');
    }
    return strip(name);
  }

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

  function longestLine(body) {
    let longest = 0;
    let begin = 0;
    for (let i = 0; i <= body.length; i++) {
      if (i === body.length || body[i] === 10 || body[i] === 13) {
        longest = Math.max(longest, i - begin);
        if (body[i] === 13 && body[i + 1] === 10) i++;
        begin = i + 1;
      }
    }
    return longest;
  }

  function decodeBody(body) {
    try {
      return decoder.decode(body);
    } catch (error) {
      const offset = firstBadByte(body);
      let line = 2;
      for (let i = 0; i < offset; i++) {
        if (body[i] === 10 || (body[i] === 13 && body[i + 1] !== 10)) line++;
      }
      throw new Refused([notUtf8(line)]);
    }
  }

  /** Where Python's UTF-8 decoder stops: the lead byte of the first invalid sequence. */
  function firstBadByte(bytes) {
    for (let i = 0; i < bytes.length; ) {
      const [size, low, high] = utf8Sequence(bytes[i]);
      if (size === 0 || i + size > bytes.length) return i;
      if (size > 1 && (bytes[i + 1] < low || bytes[i + 1] > high)) return i;
      for (let k = 2; k < size; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
      i += size;
    }
    return bytes.length;
  }

  /** [length, lowest and highest second byte] of a sequence led by `lead`; 0: never valid. */
  function utf8Sequence(lead) {
    if (lead < 0x80) return [1, 0, 0];
    if (lead < 0xc2) return [0, 0, 0];
    if (lead < 0xe0) return [2, 0x80, 0xbf];
    if (lead === 0xe0) return [3, 0xa0, 0xbf]; // no overlong forms
    if (lead === 0xed) return [3, 0x80, 0x9f]; // no surrogates
    if (lead < 0xf0) return [3, 0x80, 0xbf];
    if (lead === 0xf0) return [4, 0x90, 0xbf];
    if (lead < 0xf4) return [4, 0x80, 0xbf];
    if (lead === 0xf4) return [4, 0x80, 0x8f]; // nothing above U+10FFFF
    return [0, 0, 0];
  }

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

  /** Python's csv.reader over io.StringIO(text, newline=""): [fields, reader.line_num] of
   * each record. Lines end after \n, \r\n or a lone \r; a quoted value may span lines. */
  function csvRecords(text, skipInitialSpace) {
    const [RECORD, FIELD, IN_FIELD, QUOTED, QUOTE_IN_QUOTED, EAT_NEWLINE] = [0, 1, 2, 3, 4, 5];
    const records = [];
    let state = RECORD;
    let fields = [];
    let field = "";
    let length = 0; // in code points, as Python counts
    let lineNumber = 0;
    const save = () => {
      fields.push(field);
      field = "";
      length = 0;
    };
    const add = (char) => {
      if (length >= FIELD_LIMIT) throw new CannotTell();
      field += char;
      const code = char.charCodeAt(0);
      if (code < 0xdc00 || code > 0xdfff) length++;
    };
    const endOfLine = (char) => {
      save();
      state = char === null ? RECORD : EAT_NEWLINE;
    };
    const step = (char) => {
      const newline = char === "\n" || char === "\r";
      if (state === RECORD) {
        if (char === null) return;
        if (newline) return void (state = EAT_NEWLINE);
        state = FIELD;
      }
      if (state === FIELD) {
        if (newline || char === null) endOfLine(char);
        else if (char === '"') state = QUOTED;
        else if (char === " " && skipInitialSpace);
        else if (char === ",") save();
        else {
          add(char);
          state = IN_FIELD;
        }
      } else if (state === IN_FIELD) {
        if (newline || char === null) endOfLine(char);
        else if (char === ",") {
          save();
          state = FIELD;
        } else add(char);
      } else if (state === QUOTED) {
        if (char === '"') state = QUOTE_IN_QUOTED;
        else if (char !== null) add(char);
      } else if (state === QUOTE_IN_QUOTED) {
        if (char === '"') {
          add(char);
          state = QUOTED;
        } else if (char === ",") {
          save();
          state = FIELD;
        } else if (newline || char === null) endOfLine(char);
        else {
          add(char);
          state = IN_FIELD;
        }
      } else if (char === null) state = RECORD;
      else if (!newline) throw new CannotTell(); // "new-line character seen in unquoted field"
    };
    let position = 0;
    while (position < text.length) {
      let end = position;
      while (end < text.length && text[end] !== "\n" && text[end] !== "\r") end++;
      if (end < text.length) end += text[end] === "\r" && text[end + 1] === "\n" ? 2 : 1;
      lineNumber++;
      for (let i = position; i < end; i++) step(text[i]);
      step(null);
      position = end;
      if (state === RECORD) {
        records.push([fields, lineNumber]);
        fields = [];
      }
    }
    if (state === QUOTED || length !== 0) {
      save();
      records.push([fields, lineNumber]);
    }
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

  // --- hints (vsegrader_client/hints.py) ----------------------------------------------------

  const UNKNOWN_ID = /^Unknown id '(.*)' on line \d+$/;
  const BAD_LABEL = /^Column '(.*)' line \d+: '(.*)' is not one of the allowed labels/;
  const MISSING_COLUMN = /^Required column '(.*)' could not be found$/;
  const FLOAT_INTEGER = /^[+-]?[0-9]+\.0*$/;

  function hints(data, spec, errors) {
    const found = [
      excel(data),
      ...headerCase(errors, headerOf(data)),
      ...floatIds(errors),
      ...floatLabels(spec, errors),
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
    const integerLabels = new Set(
      spec.targets
        .filter((t) => t.kind === "label" && (t.labels || []).length && t.labels.every(isInteger))
        .map((t) => t.name)
    );
    for (const message of errors) {
      const match = message.match(BAD_LABEL);
      if (match && integerLabels.has(match[1]) && FLOAT_INTEGER.test(match[2])) {
        const name = repr(match[1]);
        const integer = BigInt(Math.trunc(Number(match[2]))).toString();
        const example = `(e.g. df[${name}] = df[${name}].astype(int))`;
        return [`the labels of ${name} are integers: write ${integer}, not ${match[2]} ${example}`];
      }
    }
    return [];
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
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else if (typeof window !== "undefined") window.vsegraderFileCheck = api;
  else if (typeof root.importScripts === "function") {
    root.onmessage = (event) => {
      try {
        root.postMessage(checkText(event.data.buffer, event.data.spec));
      } catch (error) {
        root.postMessage({ error: String(error) });
      }
    };
  }
})(typeof self !== "undefined" ? self : this);
