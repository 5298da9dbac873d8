/**
 * JSON.parse that also refuses what strict consumers refuse and JSON.parse silently accepts: an object with the
 * same key twice (JSON.parse keeps the last one). Used on every log line the daemon writes.
 */
export function parseStrictJson(text: string): unknown {
  let i = 0;
  const fail = (why: string): never => {
    throw new SyntaxError(`${why} at ${i} in ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i += 1;
  };
  const string = (): string => {
    const start = i;
    i += 1;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (text[i] !== '"') fail('unterminated string');
    i += 1;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): unknown => {
    space();
    const c = text[i];
    if (c === '{') {
      i += 1;
      const out: Record<string, unknown> = {};
      const seen = new Set<string>();
      space();
      if (text[i] === '}') {
        i += 1;
        return out;
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail('expected a key');
        const key = string();
        if (seen.has(key)) fail(`duplicate key "${key}"`);
        seen.add(key);
        space();
        if (text[i] !== ':') fail('expected ":"');
        i += 1;
        out[key] = value();
        space();
        if (text[i] === ',') i += 1;
        else if (text[i] === '}') {
          i += 1;
          return out;
        } else fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i += 1;
      const out: unknown[] = [];
      space();
      if (text[i] === ']') {
        i += 1;
        return out;
      }
      for (;;) {
        out.push(value());
        space();
        if (text[i] === ',') i += 1;
        else if (text[i] === ']') {
          i += 1;
          return out;
        } else fail('expected "," or "]"');
      }
    }
    if (c === '"') return string();
    const literal = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!literal) fail('unexpected character');
    i += (literal as RegExpExecArray)[0].length;
    return JSON.parse((literal as RegExpExecArray)[0]);
  };
  const result = value();
  space();
  if (i !== text.length) fail('trailing characters');
  return result;
}
