/* global document, window, EventSource, fetch, setTimeout, clearTimeout, setInterval, clearInterval */
// Progressive enhancement for the dashboard: every page works without this module; with it, live
// parts refresh themselves when the panel's event stream says something changed, typed links are
// read as they are typed, and the keyword test box answers as text is pasted. The server renders
// every fragment, so texts and languages stay in one place.

const debounce = (fn, ms) => {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
};

/**
 * Calls `fn` at most once per `ms` and once more after the last request, never two at once: a
 * campaign emits an event per message, and waiting for a quiet moment (a debounce) would starve
 * the page while events keep coming.
 */
const throttle = (fn, ms) => {
  let last = 0;
  let timer = null;
  let running = false;
  let again = false;
  const request = () => {
    if (running) {
      again = true;
      return;
    }
    if (timer) return;
    timer = setTimeout(run, Math.max(0, last + ms - Date.now()));
  };
  const run = async () => {
    timer = null;
    running = true;
    last = Date.now();
    try {
      await fn();
    } finally {
      running = false;
      if (again) {
        again = false;
        request();
      }
    }
  };
  return request;
};

async function fetchText(url) {
  const res = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
  if (!res.ok) throw new Error(`${res.status}`);
  return res.text();
}

/**
 * Replaces #live with the server's current rendering of it; resolves whether it is finished. A
 * part with `data-version` (a campaign's chart and table) is asked for by the version shown: the
 * server answers an empty `data-same` stand-in while it is unchanged, and the shown one stays.
 */
async function refreshLive(whole = false) {
  const el = document.getElementById('live');
  if (!el) return true;
  const shown = whole ? null : el.querySelector('[data-version]');
  const src = el.dataset.liveSrc;
  const html = await fetchText(shown ? `${src}${src.includes('?') ? '&' : '?'}detail=${encodeURIComponent(shown.dataset.version)}` : src);
  const box = document.createElement('div');
  box.innerHTML = html;
  const next = box.firstElementChild;
  if (next && next.id === 'live') {
    const same = next.querySelector('[data-same]');
    if (same) {
      if (!shown || shown.dataset.version !== same.dataset.version) return refreshLive(true);
      same.replaceWith(shown);
    }
    el.replaceWith(next);
  }
  return (next?.dataset.done ?? '1') === '1';
}


function watchLive() {
  const el = document.getElementById('live');
  if (!el || el.dataset.done === '1') return;
  let finished = false;
  let poll = null;
  let source = null;
  const stop = () => {
    finished = true;
    if (poll) clearInterval(poll);
    if (source) source.close();
    document.body.dataset.live = 'done';
  };
  const refresh = throttle(async () => {
    if (finished) return;
    try {
      if (await refreshLive()) stop();
    } catch {
      /* the next event or poll tries again */
    }
  }, 1000);
  // Polling only while the stream is down: the fragment is the whole state, so nothing is lost.
  const startPolling = () => {
    if (!poll && !finished) poll = setInterval(refresh, 2000);
  };
  const topics = (el.dataset.topics ?? '').split(' ').filter(Boolean);
  if ('EventSource' in window) {
    // Only the topics this part listens to: a running campaign's page is not sent monitor hits.
    source = new EventSource(`/api/v1/events?topics=${encodeURIComponent(topics.join(','))}`);
    source.addEventListener('open', () => {
      document.body.dataset.live = 'on';
      if (poll) {
        clearInterval(poll);
        poll = null;
      }
      refresh();
    });
    source.addEventListener('error', startPolling);
    // `reset`: events were lost, so the fragment is read again whatever this part shows.
    for (const name of [...topics, 'reset']) source.addEventListener(name, refresh);
  } else startPolling();
  // Whatever happened between rendering and subscribing is picked up once.
  refresh();
}

function watchLinkChecks() {
  for (const input of document.querySelectorAll('input[data-link-check]')) {
    const form = input.closest('form');
    const out = form?.querySelector('.link-reading');
    if (!form || !out) continue;
    const check = debounce(async () => {
      const kind = form.dataset.kind;
      if (!input.value.trim()) {
        out.textContent = '';
        return;
      }
      try {
        out.innerHTML = await fetchText(`/actions/${encodeURIComponent(kind)}/reads?target=${encodeURIComponent(input.value)}`);
      } catch {
        out.textContent = '';
      }
    }, 200);
    input.addEventListener('input', check);
    if (input.value) check();
  }
}

function watchKeywordTest() {
  const form = document.querySelector('form[data-keyword-test]');
  if (!form) return;
  const area = form.querySelector('textarea');
  const out = form.querySelector('output');
  area.addEventListener(
    'input',
    debounce(async () => {
      try {
        out.innerHTML = await fetchText(`/monitor/test?text=${encodeURIComponent(area.value)}`);
      } catch {
        /* the submit button still works */
      }
    }, 200),
  );
}

function confirmForms() {
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (e) => {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  }
}

/** A header checkbox that ticks every row's checkbox of the same name (the accounts table). */
function selectAll() {
  for (const all of document.querySelectorAll('input[data-select-all]')) {
    const boxes = () => document.querySelectorAll(`input[type="checkbox"][name="${all.dataset.selectAll}"]`);
    all.addEventListener('change', () => {
      for (const box of boxes()) box.checked = all.checked;
    });
  }
}

watchLive();
selectAll();
watchLinkChecks();
watchKeywordTest();
confirmForms();
