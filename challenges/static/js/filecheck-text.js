/* The file check's Python, ported to JavaScript: str.strip(), repr() and the repr of a
 * float, as the messages quote text and numbers; the byte-level checks of the client's
 * vsegrader_client/format/text.py (encoding, binary data, the header line); Python's UTF-8
 * decoder and csv.reader, so that lines and fields are counted as the server counts them.
 * One of three parts: filecheck-rows.js and filecheck.js use it, through
 * self.vsegraderFileCheckParts in a browser or a worker and require() under Node.
 */
(function (root) {
  "use strict";

  const MAX_MESSAGES = 10;
  const MAX_HEADER_BYTES = 1 << 16;
  const FIELD_LIMIT = 131072; // Python's csv.field_size_limit()
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

  const part = {
    MAX_MESSAGES,
    MAX_HEADER_BYTES,
    Refused,
    CannotTell,
    Problems,
    shown,
    strip,
    repr,
    quote,
    floatRepr,
    plural,
    startsWith,
    textStart,
    contentEnd,
    readHeader,
    longestLine,
    decodeBody,
    csvRecords,
  };
  if (typeof module !== "undefined" && module.exports) module.exports = part;
  else root.vsegraderFileCheckParts = Object.assign(root.vsegraderFileCheckParts || {}, part);
})(typeof self !== "undefined" ? self : this);
