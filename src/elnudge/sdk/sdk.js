/*! elNudge storefront SDK: reports what shoppers do to the elNudge relay and draws the nudges
 * the relay answers with. No dependencies.
 * Install:
 *   <script>window.__eln=window.__eln||function(){(__eln.q=__eln.q||[]).push(arguments)}</script>
 *   <script async src="https://YOUR-ELNUDGE-HOST/sdk.js" data-site-key="pk_live_…"></script>
 * Then: __eln('track', 'ADD_TO_CART', {...}); __eln('identify', 'customer-42');
 *       __eln('config', {debug: true}).
 * It never throws into the page: every entry point and handler is wrapped. */
(function (window, document) {
  'use strict';
  var VERSION = '1.2.0';
  var PREFIX = '[elNudge]';
  var SESSION_GAP_MS = 30 * 60 * 1000; // a session ends after 30 minutes without events
  var IDLE_AFTER_MS = 30000; // no scroll, click, key or pointer movement for this long: IDLE
  var SESSION_KEY = 'eln_session';
  var VISITOR_KEY = 'eln_visitor';
  var PENDING_KEY = 'eln_pending';
  var MAX_BATCH = 50; // keeps a request well under the 64 KB a keepalive fetch or beacon may carry
  var MAX_QUEUE = 500; // a long outage drops the oldest events rather than grow without bound
  var MAX_ATTEMPTS = 6; // about a minute of backoff, then the batch is dropped
  var HOVER_MS = 2000;
  var DEPTHS = [25, 50, 75, 100];
  var INTERACTIVE = 'a,button,input,select,textarea,label,summary,[role="button"]';
  // Events that can make the engine offer a nudge (with SCROLL_DEPTH from 75): sent at once,
  // not after the batch timer, so a nudge appears within a second. Aliases included.
  var TRIGGERS = ['PAGE_VIEW', 'PRODUCT_VIEW', 'ADD_TO_CART', 'CART_ADD', 'REMOVE_FROM_CART',
    'CART_REMOVE', 'CHECKOUT_STAGE', 'EXIT_INTENT', 'IDLE'];

  var previous = window.__eln;
  if (previous && previous.loaded) return; // the snippet was pasted twice: keep the first

  var memory = {};
  var queue = [];
  var inFlight = null;
  var attempt = 0;
  var retryTimer = null;
  var flushTimer = null;
  var lastStamp = 0;
  var visitorId = null;
  var page = { url: '', depths: {}, exit: false };
  var hover = null;
  var scrollPending = false;
  var urgent = false; // a trigger is queued
  var soonPending = false;
  var active = 0; // the page's last scroll, click, key or pointer movement
  var idleTimer = null;

  var script = document.currentScript || document.querySelector('script[data-site-key]');
  function attr(name) {
    return script ? script.getAttribute(name) : null;
  }
  var siteKey = attr('data-site-key') || '';
  // Paths where no nudge may appear, for the engine; a site's own setting wins over these.
  var quietZones = (attr('data-quiet-zones') || '').split(',').map(function (zone) {
    return zone.trim();
  }).filter(Boolean);
  var debugAttr = attr('data-debug');
  var cfg = {
    endpoint: attr('data-endpoint') || relayUrl(),
    debug: debugAttr === null ? siteKey.indexOf('pk_test_') === 0 : debugAttr !== 'false',
    flushInterval: 5000,
    productSelector: '[data-eln-product]',
    autoTrack: true
  };

  function relayUrl() {
    try {
      return new URL('/v1/relay', script.src).href;
    } catch (e) {
      return '/v1/relay';
    }
  }

  function log() {
    if (!cfg.debug || !window.console) return;
    try {
      console.log.apply(console, [PREFIX].concat([].slice.call(arguments)));
    } catch (e) { /* a console that cannot print is no reason to fail */ }
  }

  function safe(fn) {
    return function () {
      try {
        return fn.apply(this, arguments);
      } catch (e) {
        log('internal error (ignored):', e);
      }
    };
  }

  // --- storage that survives a blocked or full sessionStorage -----------------------------
  function load(key) {
    try {
      var text = window.sessionStorage.getItem(key);
      if (text !== null) return JSON.parse(text);
    } catch (e) { /* private mode, sandboxed frame: fall back to memory */ }
    return memory[key] === undefined ? null : memory[key];
  }

  function save(key, value) {
    memory[key] = value;
    try {
      if (value === null) window.sessionStorage.removeItem(key);
      else window.sessionStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* memory keeps it for this page */ }
  }

  function randomId(prefix) {
    var bytes = new Uint8Array(12);
    var out = prefix;
    try {
      window.crypto.getRandomValues(bytes);
    } catch (e) {
      for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    for (var j = 0; j < bytes.length; j++) out += (bytes[j] + 256).toString(16).slice(1);
    return out;
  }

  // Strictly increasing times, so events of one page keep their order on the server.
  function stamp() {
    var now = Date.now();
    lastStamp = now > lastStamp ? now : lastStamp + 1;
    return lastStamp;
  }

  function sessionId(now) {
    var session = load(SESSION_KEY);
    if (!session || !session.id || now - session.last > SESSION_GAP_MS) {
      session = { id: randomId('ses_') };
      log('new session', session.id);
    }
    session.last = now;
    save(SESSION_KEY, session);
    return session.id;
  }

  function text(value, limit) {
    return String(value === null || value === undefined ? '' : value).slice(0, limit);
  }

  // --- the public commands ------------------------------------------------------------------
  function track(type, data) {
    if (typeof type !== 'string' || !type) return log('track needs an event type, got', type);
    var payload;
    try {
      payload = data && typeof data === 'object' ? JSON.parse(JSON.stringify(data)) : {};
    } catch (e) {
      return log('dropped', type, ': its data cannot be sent as JSON');
    }
    var at = stamp();
    var event = {
      event_id: randomId('ce_'),
      session_id: sessionId(at),
      event: type,
      ts: new Date(at).toISOString(),
      url: text(window.location.href, 2048),
      data: payload
    };
    if (visitorId) event.visitor_id = visitorId;
    queue.push(event);
    if (queue.length > MAX_QUEUE) queue.splice(0, queue.length - MAX_QUEUE);
    log('track', type, payload);
    if (TRIGGERS.indexOf(type) >= 0 || (type === 'SCROLL_DEPTH' && payload.depth >= 75)) soon();
    if (queue.length >= MAX_BATCH) flush();
  }

  function identify(id) {
    if (typeof id !== 'string' || !id || id.length > 128) {
      return log('identify needs a visitor id of 1 to 128 characters');
    }
    visitorId = id;
    save(VISITOR_KEY, id);
    log('identified as', id);
  }

  function configure(options) {
    if (!options || typeof options !== 'object') return;
    for (var name in options) {
      if (Object.prototype.hasOwnProperty.call(options, name)) {
        if (name === 'siteKey') siteKey = String(options[name]);
        else if (cfg.hasOwnProperty(name)) cfg[name] = options[name];
      }
    }
    startTimer();
    log('config', cfg);
  }

  // --- sending --------------------------------------------------------------------------
  function body(events) {
    var batch = { site_key: siteKey, sent_at: new Date().toISOString(), events: events };
    if (quietZones.length) batch.quiet_zones = quietZones;
    return JSON.stringify(batch);
  }

  // Runs `fn` once DOMContentLoaded has fired: the page's deferred scripts have run by then. An
  // async script can start after parsing but before them, so readyState alone cannot say.
  function ready(fn) {
    var nav = window.performance && performance.getEntriesByType &&
      performance.getEntriesByType('navigation')[0];
    if (document.readyState === 'loading' || (nav && !nav.domContentLoadedEventStart)) {
      document.addEventListener('DOMContentLoaded', safe(fn));
    } else fn();
  }

  // A trigger goes at the end of the current task, with whatever else that task tracked (a
  // page view and the product view right after it: one request); during page load, once the
  // page's own scripts have run and reported what it shows.
  function soon() {
    urgent = true;
    if (soonPending) return;
    soonPending = true;
    ready(function () {
      setTimeout(safe(function () {
        soonPending = false;
        flush();
      }), 0);
    });
  }

  function flush() {
    if (inFlight || retryTimer || !queue.length) return;
    if (!siteKey) return log('no data-site-key on the script tag: events are not sent');
    if (typeof window.fetch !== 'function') return beacon();
    var batch = queue.splice(0, MAX_BATCH);
    inFlight = batch;
    urgent = false;
    window
      .fetch(cfg.endpoint, {
        method: 'POST',
        // text/plain keeps it a "simple" request: no CORS preflight round trip.
        headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
        body: body(batch),
        keepalive: true,
        credentials: 'omit'
      })
      .then(function (response) {
        return handle(batch, response);
      }, function (error) {
        retry(batch, 0, error);
      })
      .then(null, function (error) {
        inFlight = null;
        log('could not read the relay response:', error);
      });
  }

  function handle(batch, response) {
    if (response.status === 429 || response.status >= 500) {
      return retry(batch, parseInt(response.headers.get('Retry-After'), 10) || 0, response.status);
    }
    inFlight = null;
    attempt = 0;
    return response.json().then(function (result) {
      result = result || {};
      if (response.ok) {
        log('sent', batch.length, 'events: accepted', result.accepted, 'duplicates',
          result.duplicates, 'invalid', result.invalid, result.invalid ? result.errors : '');
        safe(answer)(result);
      } else {
        // 400, 401, 403, 413: sending the same batch again cannot succeed.
        log('relay refused', batch.length, 'events:', response.status, result.message);
      }
      if (urgent || queue.length >= MAX_BATCH) flush();
    });
  }

  // Every answer carries the engine's decision for the session: a nudge to draw, or null.
  // With a pk_test_ key it is always null, and test_decision says what live mode would show.
  function answer(result) {
    var test = result.test_decision;
    if (test) log('test decision: ' + test.type + ' (' + test.rule + ') "' + test.message + '"',
      test);
    if (result.nudge) show(result.nudge);
  }

  function retry(batch, waitSeconds, reason) {
    inFlight = null;
    attempt += 1;
    if (attempt > MAX_ATTEMPTS) {
      attempt = 0;
      return log('giving up on', batch.length, 'events after', MAX_ATTEMPTS, 'attempts');
    }
    queue = batch.concat(queue);
    var backoff = Math.min(60000, 1000 * Math.pow(2, attempt - 1));
    var delay = waitSeconds ? waitSeconds * 1000 : backoff / 2 + Math.random() * backoff / 2;
    log('relay unavailable (' + reason + '); retrying in', Math.round(delay), 'ms');
    retryTimer = setTimeout(safe(function () {
      retryTimer = null;
      flush();
    }), delay);
  }

  // The page is going away: hand everything to the browser, which delivers it afterwards.
  // Events already in flight go too; the relay stores a repeated event_id once.
  function beacon() {
    var pending = (inFlight || []).concat(queue);
    queue = [];
    while (pending.length && navigator.sendBeacon) {
      var batch = pending.slice(0, MAX_BATCH);
      if (!navigator.sendBeacon(cfg.endpoint, body(batch))) break;
      log('beacon with', batch.length, 'events');
      pending.splice(0, batch.length);
    }
    queue = pending;
    save(PENDING_KEY, pending.length ? pending : null); // the tab's next page sends the rest
  }

  function startTimer() {
    if (flushTimer) clearInterval(flushTimer);
    flushTimer = setInterval(safe(flush), Math.max(1000, Number(cfg.flushInterval) || 5000));
  }

  // --- automatic events -----------------------------------------------------------------
  function pageView(referrer) {
    page = { url: window.location.href, depths: {}, exit: false };
    track('PAGE_VIEW', { referrer: text(referrer, 2048), title: text(document.title, 512) });
  }

  function routeChanged() {
    var previousUrl = page.url;
    if (window.location.href.split('#')[0] !== previousUrl.split('#')[0]) pageView(previousUrl);
  }

  function closest(node, selector) {
    while (node && node.nodeType === 1) {
      if (node.matches && node.matches(selector)) return node;
      node = node.parentNode;
    }
    return null;
  }

  function describe(element) {
    var product = element.getAttribute('data-eln-product');
    if (product) return '[data-eln-product="' + text(product, 400) + '"]';
    var classes = text(element.getAttribute('class'), 200).trim().split(/\s+/).join('.');
    var id = element.id ? '#' + text(element.id, 100) : '';
    return element.tagName.toLowerCase() + id + (classes ? '.' + classes : '');
  }

  function onScroll() {
    if (scrollPending) return;
    scrollPending = true;
    setTimeout(safe(function () {
      scrollPending = false;
      var root = document.documentElement;
      var height = Math.max(root.scrollHeight, document.body ? document.body.scrollHeight : 0);
      var seen = (window.pageYOffset || root.scrollTop || 0) + window.innerHeight;
      var percent = height > 0 ? (seen / height) * 100 : 100;
      for (var i = 0; i < DEPTHS.length; i++) {
        // One percent of slack: browsers round scroll positions.
        if (!page.depths[DEPTHS[i]] && percent >= DEPTHS[i] - 1) {
          page.depths[DEPTHS[i]] = true;
          track('SCROLL_DEPTH', { depth: DEPTHS[i] });
        }
      }
    }), 100);
  }

  function endHover() {
    if (!hover) return;
    var duration = Date.now() - hover.start;
    if (duration > HOVER_MS) {
      track('ELEMENT_HOVER', { selector: describe(hover.element), duration_ms: duration });
    }
    hover = null;
  }

  function onMouseOver(event) {
    var element = closest(event.target, cfg.productSelector);
    if (hover && hover.element === element) return;
    endHover();
    if (element) hover = { element: element, start: Date.now() };
  }

  function onMouseOut(event) {
    var to = event.relatedTarget;
    if (hover && !(to && hover.element.contains(to))) endHover();
    if (!to && event.clientY <= 0 && !page.exit) {
      page.exit = true; // towards the tabs or the address bar: about to leave
      track('EXIT_INTENT', {});
    }
  }

  function onClick(event) {
    if (ui && event.target === ui.host) return; // the widget reports its own clicks
    var element = closest(event.target, INTERACTIVE) || event.target;
    if (!element || element.nodeType !== 1) return;
    var tag = element.tagName.toLowerCase();
    // Never what was typed: form fields report their tag only.
    var label = /^(input|select|textarea)$/.test(tag) ? '' : element.innerText || element.textContent;
    track('CLICK', {
      tag: tag,
      classes: text(element.getAttribute('class'), 256),
      text: text(label, 100).replace(/\s+/g, ' ').trim()
    });
  }

  function onHide() {
    endHover();
    beacon();
  }

  // Activity starts a new idle spell; a spell reaching 30 s is reported once, as IDLE.
  function stir() {
    active = Date.now();
    if (!idleTimer) idleTimer = setTimeout(safe(idleCheck), IDLE_AFTER_MS);
  }

  function idleCheck() {
    if (document.visibilityState === 'hidden') active = Date.now(); // away, not idle on the page
    var left = active + IDLE_AFTER_MS - Date.now();
    idleTimer = left > 0 ? setTimeout(safe(idleCheck), left) : null;
    if (!idleTimer) track('IDLE', { seconds: IDLE_AFTER_MS / 1000 });
  }

  function listen(target, type, handler, capture) {
    target.addEventListener(type, safe(handler), capture ? { capture: true, passive: true } : { passive: true });
  }

  function autoTrack() {
    pageView(document.referrer);
    var push = window.history.pushState;
    window.history.pushState = function () {
      var result = push.apply(this, arguments);
      safe(routeChanged)();
      return result;
    };
    listen(window, 'popstate', routeChanged);
    listen(window, 'scroll', onScroll);
    listen(document, 'mouseover', onMouseOver, true);
    listen(document, 'mouseout', onMouseOut, true);
    listen(document, 'click', onClick, true);
    var activity = ['scroll', 'wheel', 'click', 'keydown', 'pointermove', 'pointerdown'];
    activity.concat('visibilitychange').forEach(function (type) {
      listen(document, type, stir, true);
    });
    stir();
  }

  // --- the nudge widget -----------------------------------------------------------------
  // One host with a closed shadow root: no CSS or script of the page's reaches in, ours never
  // leaks out. The host's !important style attribute beats any page rule, !important ones
  // included; all in it is a fixed overlay, so nothing on the page moves (no layout shift).
  var HOST_STYLE = 'all:initial!important;position:fixed!important;top:0!important;' +
    'left:0!important;width:0!important;height:0!important;z-index:2147483647!important';
  var CSS = '.w{--bar:0px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,' +
    'Arial,sans-serif;color:#1d2433;-webkit-font-smoothing:antialiased}' +
    '*{box-sizing:border-box;margin:0}' +
    'button{font:inherit;color:inherit;background:none;border:0;padding:0;cursor:pointer;' +
    'text-align:inherit}' +
    'button:focus-visible{outline:3px solid #7aa2ff;outline-offset:2px}.q:focus{outline:0}' +
    '.s{position:fixed;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);' +
    'white-space:nowrap}' +
    '.t,.u,.q{position:fixed;right:20px;bottom:calc(20px + var(--bar));animation:in .3s ease-out}' +
    '.t,.l,.d,.q{background:#fff;border-radius:16px;box-shadow:0 16px 48px rgba(16,24,40,.2),' +
    '0 2px 8px rgba(16,24,40,.08)}' +
    '.t,.l{display:flex;align-items:flex-start;padding:14px 6px 14px 14px}' +
    '.t{width:min(380px,calc(100vw - 40px))}.t.top{top:20px;bottom:auto}' +
    '.b{display:flex;flex:1;gap:12px;align-items:center;border-radius:10px}.v{flex:1}' +
    '.m,.c{display:block}.c{margin-top:3px;font-weight:600;color:#3d5afe}' +
    '.a{display:flex;flex:none;align-items:center;justify-content:center;width:38px;height:38px;' +
    'border-radius:50%;background:linear-gradient(135deg,#5b7cfa,#8b5cf6);color:#fff;' +
    'font-weight:700;font-size:16px}' +
    '.x{position:relative;flex:none;width:32px;height:32px;border-radius:50%;color:#667085}' +
    '.x:hover{background:rgba(102,112,133,.12)}' +
    '.x:before,.x:after{content:"";position:absolute;left:9px;top:15px;width:14px;height:2px;' +
    'border-radius:1px;background:currentColor;transform:rotate(45deg)}' +
    '.x:after{transform:rotate(-45deg)}' +
    '.u{display:flex;flex-direction:column;align-items:flex-end;gap:14px}' +
    '.l{position:relative;width:min(320px,calc(100vw - 40px))}' +
    '.l:after{content:"";position:absolute;right:22px;bottom:-7px;width:14px;height:14px;' +
    'background:#fff;transform:rotate(45deg)}' +
    '.u>.a{width:60px;height:60px;font-size:24px;box-shadow:0 8px 24px rgba(91,124,250,.45)}' +
    '.k{margin:auto;max-width:none;max-height:none;padding:0;border:0;background:none;' +
    'color:inherit;overflow:visible;animation:in .3s ease-out}' +
    '.k::backdrop{background:rgba(16,24,40,.55);animation:fade .2s}' +
    '.d{width:min(440px,calc(100vw - 40px));padding:36px 32px 24px;text-align:center}' +
    '.d .a{width:56px;height:56px;margin:0 auto 18px;font-size:22px}' +
    '.d .m{font-size:21px;line-height:1.35;font-weight:650;color:#101828}' +
    '.p,.n{display:block;width:100%;padding:13px;border-radius:12px;text-align:center}' +
    '.p{margin-top:26px;background:#1d2433;color:#fff;font-weight:600}' +
    '.p:hover{background:#344054}' +
    '.n{margin-top:6px;color:#667085}.n:hover{color:#1d2433}' +
    '.r{position:fixed;left:0;right:0;bottom:0;display:flex;align-items:center;' +
    'justify-content:center;gap:8px;padding:10px 16px;background:#1d2433;color:#fff;' +
    'box-shadow:0 -6px 24px rgba(16,24,40,.18);animation:up .3s ease-out}' +
    '.r .b{flex:0 1 auto;gap:14px}.r .a{width:30px;height:30px;font-size:13px}' +
    '.r .v{display:flex;flex-wrap:wrap;align-items:center;gap:6px 16px}' +
    '.r .c{margin:0;padding:7px 16px;border-radius:99px;background:#fff;color:#1d2433}' +

    '.q{display:flex;flex-direction:column;width:min(370px,calc(100vw - 40px));overflow:hidden}' +
    '.h{display:flex;align-items:center;gap:12px;padding:14px 10px 14px 16px;color:#fff;' +
    'background:linear-gradient(135deg,#1d2433,#344054)}.h b{flex:1;font-size:16px}' +
    '.r .x,.h .x{color:#d0d5dd}.r .x:hover,.h .x:hover{background:rgba(255,255,255,.14)}' +
    '.g{display:flex;flex-direction:column;gap:8px;padding:18px 16px 22px;' +
    'background:#f5f6f8}' +
    '.g p{max-width:85%;padding:10px 14px;border-radius:16px 16px 16px 4px;background:#fff;' +
    'box-shadow:0 1px 2px rgba(16,24,40,.08)}' +
    '.g{max-height:min(360px,55vh);overflow-y:auto}.g p{white-space:pre-wrap}' +
    '.g .out{align-self:flex-end;border-radius:16px 16px 4px 16px;background:#1d2433;color:#fff}' +
    '.g small{display:block;margin-top:4px;color:#667085;font-size:12px}.g .y{color:#667085}' +
    '.f{display:flex;gap:8px;padding:10px 12px;border-top:1px solid #eaecf0}' +
    '.f input{flex:1;min-width:0;font:inherit;padding:9px 12px;border:1px solid #d0d5dd;' +
    'border-radius:10px}.f .p{width:auto;margin:0;padding:9px 16px}' +
    '.o{opacity:0;transition:opacity .3s}' +
    '@keyframes in{from{opacity:0;transform:translateY(12px)}}@keyframes fade{from{opacity:0}}' +
    '@keyframes up{from{transform:translateY(100%)}}' +
    '@media (prefers-reduced-motion:reduce){*,::backdrop{animation:none!important;' +
    'transition:none!important}}' +
    '@media (max-width:480px){.t,.u,.q{right:12px;bottom:calc(12px + var(--bar))}' +
    '.t,.q{left:12px;width:auto}.t.top{top:12px}.r{padding:8px 10px 8px 14px}' +
    '.r .b{flex:1}.r .a{display:none}}';
  var KINDS = ['toast', 'chat_bubble', 'exit_modal', 'sticky_bar'];
  var ui = null; // {host, root, wrap, live}
  var current = null; // the proactive nudge on screen (every type but the sticky bar)
  var bar = null;
  var chat = null;

  function view() {
    if (!ui) {
      var host = document.createElement('elnudge-widget');
      host.style.cssText = HOST_STYLE;
      var root = host.attachShadow({ mode: 'closed' });
      try { // a constructed sheet: a Content-Security-Policy without 'unsafe-inline' allows it
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        root.adoptedStyleSheets = [sheet];
      } catch (e) {
        make('style', '', root, CSS);
      }
      ui = { host: host, root: root, wrap: make('div', 'w', root) };
      // There from the start: a live region announces changes, not its own arrival.
      ui.live = make('div', 's', ui.wrap);
      ui.live.setAttribute('role', 'status');
    }
    if (!ui.host.isConnected) (document.body || document.documentElement).appendChild(ui.host);
    return ui;
  }

  function make(tag, className, parent, words) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (words) node.textContent = words;
    if (parent) parent.appendChild(node);
    return node;
  }

  function attrs(node, values) {
    for (var name in values) node.setAttribute(name, values[name]);
    return node;
  }

  function on(node, type, handler) {
    node.addEventListener(type, safe(handler)); // not passive: the modal's Tab trap prevents
  }

  function remove(node) {
    if (node && node.parentNode) node.parentNode.removeChild(node);
  }

  function refocus(node) {
    if (node && node !== ui.host && node.focus) node.focus();
  }

  // The fields the widget draws, as text of bounded length (never as HTML).
  function normalize(raw) {
    return {
      nudge_id: raw.nudge_id,
      type: raw.type,
      message: text(raw.message, 300),
      cta: raw.cta ? text(raw.cta, 60) : '',
      agent: text(raw.agent || 'us', 40),
      top: raw.position === 'top-right',
      opening: text(raw.opening_message || raw.message, 1000)
    };
  }

  function show(raw) {
    var kind = KINDS.indexOf(raw.type);
    if (kind < 0 || typeof raw.nudge_id !== 'string' || typeof raw.message !== 'string' ||
      !raw.message) return log('cannot draw nudge', raw);
    var n = normalize(raw);
    if (kind === 3) return stickyBar(n);
    if (current && current.n.nudge_id === n.nudge_id) return;
    if (chat) return log('the chat is open: not showing', n.nudge_id);
    clear();
    current = [toast, bubble, modal][kind](n);
    shown(n);
  }

  // NUDGE_SHOWN once per nudge id and session, however often it is drawn (a sticky bar is,
  // on every checkout page).
  function shown(n) {
    log('showing', n.type, n.nudge_id);
    if ((memo().shown || []).indexOf(n.nudge_id) >= 0) return;
    track('NUDGE_SHOWN', { nudge_id: n.nudge_id, type: n.type });
    remember(function (session) {
      session.shown = (session.shown || []).concat(n.nudge_id).slice(-50);
    });
  }

  function memo() {
    return load(SESSION_KEY) || {};
  }

  function remember(change) {
    var session = memo();
    change(session);
    save(SESSION_KEY, session);
  }

  function report(type, n) {
    track(type, { nudge_id: n.nudge_id });
  }

  function clear(keepFocus) {
    var drawn = current;
    current = null;
    if (!drawn) return;
    remove(drawn.node);
    if (!keepFocus) refocus(drawn.before);
  }

  // The nudge's body (message and call to action) opens the chat; its ✕ dismisses it.
  function card(parent, n, face) {
    var main = make('button', 'b', parent);
    if (face) avatar(main, n);
    var words = make('span', 'v', main);
    make('span', 'm', words, n.message);
    if (n.cta) make('span', 'c', words, n.cta);
    on(main, 'click', function () {
      engage(n);
    });
    on(attrs(make('button', 'x', parent), { 'aria-label': 'Dismiss' }), 'click', function () {
      dismiss(n);
    });
  }

  function avatar(parent, n, tag) {
    var face = make(tag || 'span', 'a', parent, Array.from(n.agent)[0].toUpperCase());
    return attrs(face, tag ? { 'aria-label': 'Chat with ' + n.agent } : { 'aria-hidden': 'true' });
  }

  // `fn` after `ms`, not while the pointer or focus is on `node`: nobody loses a message they
  // are reading or about to act on.
  function timed(node, ms, fn) {
    var timer;
    function start() {
      clearTimeout(timer);
      timer = setTimeout(safe(fn), ms);
    }
    function stop() {
      clearTimeout(timer);
    }
    on(node, 'mouseenter', stop);
    on(node, 'focusin', stop);
    on(node, 'mouseleave', start);
    on(node, 'focusout', start);
    start();
  }

  function announce(n) { // toasts and bubbles never take focus: the live region reads them
    ui.live.textContent = n.agent + ': ' + n.message;
  }

  function toast(n) {
    var drawn = { n: n, node: make('div', n.top ? 't top' : 't', view().wrap) };
    card(drawn.node, n, true);
    announce(n);
    timed(drawn.node, 5000, function () { // fading away is not a dismissal
      drawn.node.className += ' o';
      setTimeout(safe(function () {
        if (current === drawn) clear();
      }), 300);
    });
    return drawn;
  }

  function bubble(n) {
    var node = make('div', 'u', view().wrap);
    var callout = make('div', 'l', node);
    card(callout, n);
    on(avatar(node, n, 'button'), 'click', function () {
      engage(n);
    });
    announce(n);
    timed(callout, 8000, function () { // collapsing to the avatar is not a dismissal
      remove(callout);
    });
    return { n: n, node: node };
  }

  // The WAI-ARIA dialog pattern on a native modal <dialog>: labelled by its message, focus
  // kept inside, Escape closes it, focus returns. showModal() puts it in the top layer and makes
  // the page inert, so neither focus nor a screen reader wanders off behind it.
  function modal(n) {
    var drawn = { n: n, before: document.activeElement };
    var node = drawn.node = attrs(make('dialog', 'k', view().wrap),
      { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'eln-title' });
    var box = make('div', 'd', node);
    avatar(box, n);
    make('h2', 'm', box, n.message).id = 'eln-title';
    var go = make('button', 'p', box, n.cta || 'Chat with ' + n.agent);
    var no = make('button', 'n', box, 'No thanks');
    on(go, 'click', function () {
      engage(n);
    });
    on(no, 'click', function () {
      dismiss(n);
    });
    on(node, 'click', function (event) {
      if (event.target === node) dismiss(n); // outside the box: on the backdrop
    });
    on(node, 'cancel', function (event) { // Escape (or a phone's back gesture)
      event.preventDefault();
      dismiss(n);
    });
    on(node, 'keydown', function (event) { // Tab wraps around inside the dialog
      if (event.key !== 'Tab' || ui.root.activeElement !== (event.shiftKey ? go : no)) return;
      event.preventDefault();
      (event.shiftKey ? no : go).focus();
    });
    node.showModal();
    go.focus();
    return drawn;
  }

  // Sent again on every checkout page under the same id: drawn again, unless dismissed this
  // session.
  function stickyBar(n) {
    if (memo().bar) return log('the sticky bar was dismissed in this session');
    if (bar && bar.n.nudge_id === n.nudge_id) return;
    if (bar) remove(bar.node);
    bar = { n: n, node: make('div', 'r', view().wrap) };
    card(bar.node, n, true);
    if (window.ResizeObserver) new ResizeObserver(safe(fit)).observe(bar.node);
    fit();
    shown(n);
  }

  function fit() { // toasts, bubbles and the chat stay above the bar
    ui.wrap.style.setProperty('--bar', (bar ? bar.node.offsetHeight : 0) + 'px');
  }

  function engage(n) {
    report('NUDGE_CLICKED', n);
    var back = current && current.before;
    if (n.type !== 'sticky_bar') clear(true);
    openChat(n, back || document.activeElement);
    report('NUDGE_CHAT_OPENED', n);
  }

  function dismiss(n) {
    report('NUDGE_DISMISSED', n);
    if (n.type !== 'sticky_bar') return clear();
    remember(function (session) {
      session.bar = 1;
    });
    remove(bar.node);
    bar = null;
    fit();
  }

  // The chat panel: answers are drawn as they come (streamed: by sentence), typing shown till
  // done. Open across the session's pages (sessionStorage), redrawn from the relay and polled
  // for the store's replies. Text only (textContent), never HTML.
  function openChat(n, back, quiet) {
    closeChat();
    var node = attrs(make('div', 'q', view().wrap),
      { role: 'dialog', 'aria-label': 'Chat with ' + n.agent, tabindex: '-1' });
    var head = make('div', 'h', node);
    avatar(head, n);
    make('b', '', head, n.agent);
    on(attrs(make('button', 'x', head), { 'aria-label': 'Close chat' }), 'click', closeChat);
    on(node, 'keydown', function (event) {
      if (event.key === 'Escape') closeChat();
    });
    chat = { node: node, back: back, n: n, seen: {},
      log: attrs(make('div', 'g', node), { role: 'log' }) };
    say(n.opening, 'in');
    var form = make('form', 'f', node);
    var input = attrs(make('input', '', form),
      { 'aria-label': 'Your message', maxlength: '1000', placeholder: 'Type your question' });
    make('button', 'p', form, 'Send');
    on(form, 'submit', function (event) {
      event.preventDefault();
      send(input);
    });
    remember(function (session) {
      session.chat = { nudge_id: n.nudge_id, type: n.type, agent: n.agent, opening: n.opening };
    });
    refresh();
    chat.poll = setInterval(safe(refresh), 8000);
    if (!quiet) node.focus();
  }

  function say(words, from, source) {
    var line = make('p', from, chat.log, words);
    if (source && source.title) make('small', '', line, 'Source: ' + source.title);
    chat.log.scrollTop = chat.log.scrollHeight;
    return line;
  }

  function add(message) {
    if (!chat || chat.seen[message.id]) return;
    chat.seen[message.id] = 1;
    say(message.text, message.sender === 'shopper' ? 'out' : 'in', message.source);
  }

  function talk(path, extra, each) { // each(data) per event when streamed
    var payload = { site_key: siteKey, session_id: sessionId(Date.now()) };
    for (var name in extra) payload[name] = extra[name];
    return window.fetch(cfg.endpoint + '/' + path, { method: 'POST', credentials: 'omit',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8',
        Accept: each ? 'text/event-stream' : '*/*' }, body: JSON.stringify(payload) })
      .then(function (response) {
        if (!response.ok) throw new Error('relay ' + response.status);
        if (!each) return response.json();
        var reader = response.body.getReader(), decoder = new TextDecoder(), text = '';
        return reader.read().then(function next(chunk) {
          var events = (text += decoder.decode(chunk.value, { stream: true })).split('\n\n');
          text = events.pop();
          events.forEach(function (event) {
            each(JSON.parse(event.slice(6))); // after 'data: '
          });
          if (!chunk.done) return reader.read().then(next);
        });
      });
  }

  function refresh() {
    if (!chat || chat.busy) return;
    talk('transcript', {}).then(function (result) {
      if (chat && !chat.busy) result.messages.forEach(add);
    }).then(null, log);
  }

  function send(input) {
    var words = input.value.trim();
    if (!words || chat.busy) return;
    input.value = '';
    say(words, 'out');
    var typing = attrs(say('…', 'in y'), { 'aria-label': chat.n.agent + ' is typing' });
    var mine = chat, line;
    mine.busy = 1;
    talk('messages', { text: words, nudge_id: mine.n.nudge_id, url: location.href },
      function (part) {
        var m = part.message;
        if (chat !== mine) return;
        if (m) {
          if (m.sender === 'shopper') mine.seen[m.id] = 1; // drawn already
          return add(m);
        }
        if (!line) { // a streamed answer: its line, typing below
          mine.seen[part.id] = line = say('', 'in');
          chat.log.appendChild(typing);
        }
        line.textContent += part.text;
        chat.log.scrollTop = chat.log.scrollHeight;
      }).then(null, function (error) {
        log('message not sent:', error);
        if (chat === mine) say('Sorry, that did not go through. Please try again.', 'in');
      }).then(function () {
        mine.busy = 0;
        remove(typing);
      });
  }

  function closeChat() {
    if (!chat) return;
    clearInterval(chat.poll);
    remove(chat.node);
    refocus(chat.back);
    chat = null;
    remember(function (session) {
      delete session.chat;
    });
  }

  // --- start ----------------------------------------------------------------------------
  function command(name) {
    var args = [].slice.call(arguments, 1);
    if (name === 'track') track(args[0], args[1]);
    else if (name === 'identify') identify(args[0]);
    else if (name === 'config') configure(args[0]);
    else if (name === 'flush') flush();
    else log('unknown command', name);
  }

  safe(function () {
    var api = safe(command);
    api.track = safe(track);
    api.identify = safe(identify);
    api.config = safe(configure);
    api.flush = safe(flush);
    api.loaded = true;
    api.version = VERSION;
    visitorId = load(VISITOR_KEY);
    queue = load(PENDING_KEY) || [];
    save(PENDING_KEY, null);
    var queued = (previous && previous.q) || [];
    // Settings first, so they apply to everything; then the page view; then queued events,
    // in the order the page called them.
    for (var i = 0; i < queued.length; i++) {
      if (queued[i][0] !== 'track') api.apply(null, queued[i]);
    }
    window.__eln = api;
    startTimer();
    listen(window, 'pagehide', onHide);
    listen(document, 'visibilitychange', function () {
      if (document.visibilityState === 'hidden') onHide();
    });
    ready(safe(function () {
      view(); // the live region must be there before the first announcement
      var open = memo().chat; // the chat panel was open on the previous page of the session
      if (open && siteKey && window.fetch) openChat(open, null, true);
    }));
    if (cfg.autoTrack) autoTrack();
    for (var j = 0; j < queued.length; j++) {
      if (queued[j][0] === 'track') api.apply(null, queued[j]);
    }
    log('ready', VERSION, 'relay', cfg.endpoint);
  })();
})(window, document);
