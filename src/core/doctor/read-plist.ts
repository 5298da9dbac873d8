/**
 * A small reader for XML property lists (what launchd files hold: dict, array, string, integer, real, true, false,
 * date, data; CDATA sections and comments). Enough to read a LaunchAgent's EnvironmentVariables; throws on malformed
 * input. Kept rather than the `plist` package the tests check it against: that one's XML layer (xmldom) writes its
 * parse errors to the console — doctor's output — and reads a <key> without a value as "".
 */
export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (match, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? match;
  });
}

/** Comments out, and each CDATA section's text as escaped character data (in one pass: neither is inside the other). */
function markupOnly(xml: string): string {
  return xml.replace(/<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>/g, (_match, cdata: string | undefined) =>
    cdata === undefined ? '' : cdata.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  );
}

export function parsePlist(xml: string): PlistValue {
  const tokens = [
    ...markupOnly(xml)
      .replace(/<\?xml[^>]*\?>|<!DOCTYPE[^>]*>/g, '')
      .matchAll(/<(\/?)(\w+)\s*[^>]*?(\/?)>|([^<]+)/g),
  ];
  let index = 0;
  const next = () => tokens[index++];
  const expectClose = (name: string) => {
    const token = next();
    if (!token || token[1] !== '/' || token[2] !== name) throw new Error(`plist: expected </${name}>`);
  };
  const text = (name: string): string => {
    let value = '';
    while (tokens[index]?.[4] !== undefined) value += next()?.[4] ?? '';
    expectClose(name);
    return decode(value);
  };
  const skipSpace = () => {
    while (tokens[index]?.[4] !== undefined && (tokens[index]?.[4] ?? '').trim() === '') index += 1;
  };
  const value = (): PlistValue => {
    skipSpace();
    const token = next();
    if (!token || token[4] !== undefined || token[1] === '/') throw new Error('plist: expected a value element');
    const [, , name, selfClosing] = token as unknown as [string, string, string, string];
    if (name === 'true' || name === 'false') {
      if (!selfClosing) expectClose(name);
      return name === 'true';
    }
    if (name === 'string' || name === 'date' || name === 'data') return selfClosing ? '' : text(name);
    if (name === 'integer' || name === 'real') {
      const number = Number(text(name).trim());
      if (!Number.isFinite(number)) throw new Error(`plist: bad <${name}>`);
      return number;
    }
    if (name === 'array') {
      const items: PlistValue[] = [];
      if (selfClosing) return items;
      for (skipSpace(); tokens[index]?.[1] !== '/'; skipSpace()) items.push(value());
      expectClose('array');
      return items;
    }
    if (name === 'dict') {
      const dict: Record<string, PlistValue> = {};
      if (selfClosing) return dict;
      for (skipSpace(); tokens[index]?.[1] !== '/'; skipSpace()) {
        const key = next();
        if (!key || key[2] !== 'key') throw new Error('plist: expected <key> in <dict>');
        dict[text('key')] = value();
      }
      expectClose('dict');
      return dict;
    }
    throw new Error(`plist: unexpected <${name}>`);
  };
  skipSpace();
  const root = next();
  if (!root || root[2] !== 'plist') throw new Error('plist: missing <plist> root');
  const result = value();
  skipSpace();
  expectClose('plist');
  return result;
}
