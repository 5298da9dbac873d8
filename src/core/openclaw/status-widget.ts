import { STATUS_METHOD } from '../../config/plugin-identity.js';

/**
 * The backup status as a Control UI session-dashboard widget. OpenClaw 2026.9.6 shows a plugin's dashboard data
 * binding only inside such a widget: an HTML cell on a session's board, sandboxed, whose declared capability
 * (`tools: ["openclaw-backup.status"]`) the operator grants (Full access grants it at once; Guarded shows an Allow
 * card). Its script reads the binding through `openclaw.data.read`; the gateway answers from our status method.
 */

export const WIDGET_NAME = 'openclaw-backup';
export const WIDGET_TITLE = 'Backups';
/** Read again this often while the board is open (each read runs `openclaw-backup status --json` once). */
export const WIDGET_REFRESH_MS = 60_000;

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;padding:12px 14px}
h3{margin:0 0 8px;font-size:15px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 12px;margin:0}
dt{opacity:.7}dd{margin:0}
.bad{color:#c0392b;font-weight:600}.good{color:#1e8449;font-weight:600}
`;

// Plain ES5-ish script: it runs in the widget sandbox, with nothing but the host bridge (window.openclaw).
const SCRIPT = `
var METHOD = ${JSON.stringify(STATUS_METHOD)};
function el(t, text, cls) { var e = document.createElement(t); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
function when(iso) { if (!iso) return 'never'; var d = new Date(iso); return isNaN(d) ? String(iso) : d.toLocaleString(); }
function size(n) { if (typeof n !== 'number') return ''; var u = ['B','KB','MB','GB','TB'], i = 0; while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; } return (i ? n.toFixed(1) : n) + ' ' + u[i]; }
function show(s) {
  var root = document.getElementById('status'); root.textContent = '';
  var over = s.overdue && s.overdue.overdue;
  root.appendChild(el('h3', over ? 'Backups: overdue' : 'Backups: up to date', over ? 'bad' : 'good'));
  var dl = el('dl');
  function row(k, v, cls) { dl.appendChild(el('dt', k)); dl.appendChild(el('dd', v, cls)); }
  var run = s.lastRun;
  row('last run', run ? run.result + ' at ' + when(run.startedAt) : 'never', run && run.result !== 'ok' ? 'bad' : '');
  row('last success', when(s.overdue && s.overdue.lastSuccessAt));
  row('next run', s.auto ? when(s.nextRunAt) : 'auto is off');
  var a = s.archives || {};
  row('archives', (a.count || 0) + ' (' + size(a.bytes) + ')' + (a.newest ? ', newest ' + String(a.newest).split('/').pop() : ''));
  row('last error', s.lastError || 'none', s.lastError ? 'bad' : '');
  row('daemon', s.daemon && s.daemon.running ? 'running (pid ' + s.daemon.pid + ')' : 'not running', s.auto && !(s.daemon && s.daemon.running) ? 'bad' : '');
  row('state dir', s.stateDir);
  root.appendChild(dl);
}
function refresh() {
  window.openclaw.data.read(METHOD).then(show, function (e) {
    var root = document.getElementById('status'); root.textContent = '';
    root.appendChild(el('h3', 'Backups: status unavailable', 'bad')); root.appendChild(el('p', String(e && e.message || e)));
  });
}
refresh();
setInterval(refresh, ${WIDGET_REFRESH_MS});
`;

/** The widget document's body: markup, style and the script that reads the binding. */
export function renderStatusWidgetHtml(): string {
  return `<style>${STYLE}</style><div id="status">Loading backup status…</div><script>${SCRIPT}</script>`;
}

/** `board.widget.put` params: the HTML cell, declaring the one capability it reads. */
export function statusWidgetPutParams(sessionKey: string): Record<string, unknown> {
  return {
    sessionKey,
    name: WIDGET_NAME,
    title: WIDGET_TITLE,
    content: { kind: 'html', html: renderStatusWidgetHtml() },
    placement: { size: 'md' },
    declared: { tools: [STATUS_METHOD] },
  };
}
