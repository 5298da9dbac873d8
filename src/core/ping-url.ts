/**
 * The URL with its path and query hidden: a Healthchecks ping URL is the check's credential (anyone holding it can
 * report success), so logs and the status record show only the scheme and host.
 */
export function redactPingUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hidden = parsed.pathname !== '/' || parsed.search !== '' ? '/…' : '/';
    return `${parsed.protocol}//${parsed.host}${hidden}`;
  } catch {
    return '(invalid URL)';
  }
}
