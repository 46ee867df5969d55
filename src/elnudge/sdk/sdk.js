/*! elNudge storefront SDK: reports what shoppers do to the elNudge relay. No dependencies.
 * Install:
 *   <script>window.__eln=window.__eln||function(){(__eln.q=__eln.q||[]).push(arguments)}</script>
 *   <script async src="https://YOUR-ELNUDGE-HOST/sdk.js" data-site-key="pk_live_…"></script>
 * Then: __eln('track', 'ADD_TO_CART', {...}); __eln('identify', 'customer-42');
 *       __eln('config', {debug: true}).
 * It never throws into the page: every entry point and handler is wrapped. */
(function (window, document) {
  'use strict';
  var VERSION = '1.0.0';
  var PREFIX = '[elNudge]';
  var IDLE_MS = 30 * 60 * 1000; // a session ends after 30 minutes without events
  var SESSION_KEY = 'eln_session';
  var VISITOR_KEY = 'eln_visitor';
  var PENDING_KEY = 'eln_pending';
  var MAX_BATCH = 50; // keeps a request well under the 64 KB a keepalive fetch or beacon may carry
  var MAX_QUEUE = 500; // a long outage drops the oldest events rather than grow without bound
  var MAX_ATTEMPTS = 6; // about a minute of backoff, then the batch is dropped
  var HOVER_MS = 2000;
  var DEPTHS = [25, 50, 75, 100];
  var INTERACTIVE = 'a,button,input,select,textarea,label,summary,[role="button"]';

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

  var script = document.currentScript || document.querySelector('script[data-site-key]');
  function attr(name) {
    return script ? script.getAttribute(name) : null;
  }
  var siteKey = attr('data-site-key') || '';
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
    if (!session || !session.id || now - session.last > IDLE_MS) {
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
    return JSON.stringify({ site_key: siteKey, sent_at: new Date().toISOString(), events: events });
  }

  function flush() {
    if (inFlight || retryTimer || !queue.length) return;
    if (!siteKey) return log('no data-site-key on the script tag: events are not sent');
    if (typeof window.fetch !== 'function') return beacon();
    var batch = queue.splice(0, MAX_BATCH);
    inFlight = batch;
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
      if (response.ok) {
        log('sent', batch.length, 'events: accepted', result.accepted, 'duplicates',
          result.duplicates, 'invalid', result.invalid, result.invalid ? result.errors : '');
        if (queue.length >= MAX_BATCH) flush();
      } else {
        // 400, 401, 403, 413: sending the same batch again cannot succeed.
        log('relay refused', batch.length, 'events:', response.status, result.message);
      }
    });
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
    if (cfg.autoTrack) autoTrack();
    for (var j = 0; j < queued.length; j++) {
      if (queued[j][0] === 'track') api.apply(null, queued[j]);
    }
    log('ready', VERSION, 'relay', cfg.endpoint);
  })();
})(window, document);
