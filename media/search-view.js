// The Search view's script (src/vscode/search/search-view.ts): sends what is
// typed (debounced) and shows the results it gets back. Every string from a
// message is set as text (textContent, text nodes), never parsed as HTML.
/* global acquireVsCodeApi, document, window, setTimeout, clearTimeout */
(function () {
  const vscode = acquireVsCodeApi();
  const query = /** @type {HTMLInputElement} */ (document.getElementById('query'));
  const status = /** @type {HTMLElement} */ (document.getElementById('status'));
  const results = /** @type {HTMLElement} */ (document.getElementById('results'));
  const DEBOUNCE_MS = 150;
  let seq = 0;
  let timer;

  const saved = vscode.getState();
  if (saved && typeof saved.text === 'string') query.value = saved.text;

  function send() {
    seq += 1;
    vscode.setState({ text: query.value });
    vscode.postMessage({ type: 'query', text: query.value, seq });
  }

  query.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(send, DEBOUNCE_MS);
  });
  query.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      clearTimeout(timer);
      send();
    } else if (e.key === 'ArrowDown' && results.firstElementChild) {
      e.preventDefault();
      /** @type {HTMLElement} */ (results.firstElementChild).focus();
    }
  });

  /** The snippet as text nodes, with <mark> around the matched ranges. */
  function snippetNode(text, highlights) {
    const el = document.createElement('div');
    el.className = 'snippet';
    let at = 0;
    for (const [start, end] of highlights) {
      if (start < at || end > text.length || start >= end) continue;
      el.appendChild(document.createTextNode(text.slice(at, start)));
      const mark = document.createElement('mark');
      mark.textContent = text.slice(start, end);
      el.appendChild(mark);
      at = end;
    }
    el.appendChild(document.createTextNode(text.slice(at)));
    return el;
  }

  function row(item) {
    const li = document.createElement('li');
    li.tabIndex = 0;
    li.setAttribute('role', 'option');
    if (item.unread) li.classList.add('unread');
    const subject = document.createElement('div');
    subject.className = 'subject';
    subject.textContent = item.subject;
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = item.meta;
    li.append(subject, meta);
    if (item.snippet) li.appendChild(snippetNode(item.snippet, item.highlights));
    const open = () => vscode.postMessage({ type: 'open', key: item.key, id: item.id });
    li.addEventListener('click', open);
    li.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') open();
      else if (e.key === 'ArrowDown' && li.nextElementSibling) {
        e.preventDefault();
        /** @type {HTMLElement} */ (li.nextElementSibling).focus();
      } else if (e.key === 'ArrowUp') {
        e.preventDefault();
        /** @type {HTMLElement} */ (li.previousElementSibling ?? query).focus();
      }
    });
    return li;
  }

  window.addEventListener('message', (event) => {
    const m = event.data;
    if (!m || m.type !== 'results' || m.seq !== seq) return;
    status.textContent = m.status;
    results.replaceChildren(...m.items.map(row));
  });

  if (query.value !== '') send();
  query.focus();
})();
