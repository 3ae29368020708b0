// supportdesk web chat widget, v1. One dependency-free script a shop puts on its pages:
//   <script src="https://support.myshop.com/widget/v1/supportdesk.js" data-title="My Shop" async></script>
// It draws itself in a shadow root (the shop's CSS cannot break it), talks to the gateway over its
// WebSocket (over HTTP where WebSockets are blocked), keeps the visitor's conversation token so a
// reload or a second tab finds the conversation, and queues what is typed offline. Every text is
// put into the page as text, never as HTML; only http(s) links are made clickable.
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || window.supportdesk) return;
  const data = script.dataset;
  const gateway = (data.gateway || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  const identity = data.customerId
    ? { id: data.customerId, name: data.customerName || null, email: data.customerEmail || null, hash: data.customerHash || "" }
    : null;
  const config = {
    page: data.mode === "page",
    title: data.title || "Chat with us",
    greeting: data.greeting || "",
    accent: hexColor(data.color) || "#2f6b4f",
    left: data.position === "left",
    startOpen: data.open === "true",
    perVisit: data.conversation === "visit", // a new conversation on every visit (this tab only)
  };

  // --- colours: text on the shop's colour is black or white, whichever reads better (WCAG AA) ---

  function hexColor(value) {
    const match = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec((value || "").trim());
    if (!match) return null;
    const digits = match[1].length === 3 ? match[1].replace(/./g, "$&$&") : match[1];
    return "#" + digits.toLowerCase();
  }
  function luminance(hex) {
    const channel = (i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  }
  function contrast(a, b) {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  }
  const onAccent = contrast(config.accent, "#ffffff") >= contrast(config.accent, "#111111") ? "#ffffff" : "#111111";
  // The accent as text on white only where it is legible there.
  const accentInk = contrast(config.accent, "#ffffff") >= 4.5 ? config.accent : "#1f2a24";

  // --- where the visitor's conversation is kept ------------------------------------------------

  const memory = {};
  function storage() {
    try {
      const chosen = config.perVisit ? window.sessionStorage : window.localStorage;
      chosen.getItem("x");
      return chosen;
    } catch (blocked) {
      return { getItem: (k) => memory[k] || null, setItem: (k, v) => { memory[k] = v; }, removeItem: (k) => { delete memory[k]; } };
    }
  }
  const store = storage();
  const key = "supportdesk:" + gateway;
  const who = identity ? identity.id : null;
  let saved = read();
  if (saved.who !== who) saved = { who: who, token: null, outbox: [] }; // another customer, or signed out
  function read() {
    try {
      const value = JSON.parse(store.getItem(key) || "{}");
      return { who: value.who === undefined ? null : value.who, token: value.token || null, outbox: Array.isArray(value.outbox) ? value.outbox : [] };
    } catch (broken) {
      return { who: null, token: null, outbox: [] };
    }
  }
  function persist() {
    store.setItem(key, JSON.stringify(saved));
  }
  persist();

  // --- the widget's DOM ------------------------------------------------------------------------

  const host = document.createElement("div");
  host.setAttribute("data-supportdesk", "");
  const root = host.attachShadow({ mode: "open" });
  const css = `
    :host { all: initial; }
    * { box-sizing: border-box; }
    [hidden] { display: none !important; }
    .widget { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2a24; }
    .launcher { position: fixed; bottom: 20px; ${config.left ? "left" : "right"}: 20px; z-index: 2147483000;
      width: 58px; height: 58px; border-radius: 50%; border: 0; cursor: pointer; background: ${config.accent};
      color: ${onAccent}; box-shadow: 0 4px 14px rgba(0,0,0,.25); display: grid; place-items: center; padding: 0; }
    .launcher:focus-visible, button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
    .badge { position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px; padding: 0 6px; border-radius: 11px;
      background: #b3261e; color: #fff; font-size: 13px; line-height: 22px; font-weight: 700; }
    .panel { position: fixed; bottom: 90px; ${config.left ? "left" : "right"}: 20px; z-index: 2147483001; width: 370px;
      height: min(620px, calc(100vh - 110px)); display: flex; flex-direction: column; background: #fff;
      border-radius: 14px; box-shadow: 0 8px 30px rgba(0,0,0,.25); overflow: hidden; }
    .page .panel { position: static; width: 100%; max-width: 44rem; height: 100vh; margin: 0 auto; border-radius: 0; box-shadow: none; }
    header { display: flex; align-items: center; gap: 8px; padding: 12px 14px; background: ${config.accent}; color: ${onAccent}; }
    header .who { flex: 1; min-width: 0; }
    h2 { margin: 0; font-size: 17px; }
    .status { margin: 0; font-size: 13px; }
    header button { background: transparent; color: ${onAccent}; border: 1px solid currentColor; border-radius: 6px;
      padding: 4px 8px; cursor: pointer; font: inherit; font-size: 13px; }
    header .close { font-size: 20px; line-height: 1; padding: 2px 9px; }
    .log { flex: 1; overflow-y: auto; overflow-x: hidden; margin: 0; padding: 12px; list-style: none; background: #f6f7f4; }
    .message { margin: 0 0 10px; display: flex; flex-direction: column; align-items: flex-start; }
    .bubble { max-width: 85%; padding: 8px 11px; border-radius: 12px; background: #fff; border: 1px solid #d9e0da;
      white-space: pre-wrap; overflow-wrap: anywhere; }
    .from-customer { align-items: flex-end; }
    .from-customer .bubble { background: ${config.accent}; color: ${onAccent}; border-color: ${config.accent}; }
    .from-customer .bubble a { color: ${onAccent}; }
    .from-system .bubble { background: #eef1f6; border-color: #d3dae6; }
    .from-agent .bubble { background: #fff8e6; border-color: #e8d9a8; }
    .sender { font-size: 12px; color: #4f5d55; margin: 0 0 2px 4px; }
    .pending { font-size: 12px; color: #4f5d55; margin: 2px 4px 0; }
    .failed { color: #9b2c1c; }
    a { color: ${accentInk}; }
    .choices { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
    .choices button, .rating button { background: #fff; color: ${accentInk}; border: 1px solid ${accentInk}; border-radius: 16px;
      padding: 5px 11px; cursor: pointer; font: inherit; font-size: 14px; }
    .cards { display: flex; gap: 8px; overflow-x: auto; scroll-snap-type: x mandatory; width: 100%; padding: 6px 2px 4px; margin: 0; list-style: none; }
    .cards li { flex: 0 0 190px; scroll-snap-align: start; }
    .card { display: block; height: 100%; background: #fff; border: 1px solid #d9e0da; border-radius: 10px; padding: 8px;
      color: #1f2a24; text-decoration: none; }
    .card img { display: block; width: 100%; height: 110px; object-fit: cover; border-radius: 6px; background: #eef0ec; }
    .card strong { display: block; margin-top: 6px; font-size: 14px; }
    .card .price { display: block; font-weight: 600; }
    .card .stock { display: block; font-size: 13px; color: #2d5a3d; }
    .card .stock.out { color: #9b2c1c; }
    .card .why { display: block; font-size: 13px; color: #4f5d55; }
    .typing { margin: 0 12px 8px; font-size: 13px; color: #4f5d55; }
    .extra:empty { display: none; }
    .extra { padding: 10px 12px; border-top: 1px solid #e3e7e3; }
    .extra p { margin: 0 0 6px; }
    .rating { display: flex; gap: 6px; }
    .notice { margin: 0; padding: 8px 12px; background: #fdf0ed; color: #7a1f12; font-size: 14px; }
    form { display: flex; gap: 8px; padding: 10px 12px; border-top: 1px solid #e3e7e3; background: #fff; }
    input { flex: 1; min-width: 0; font: inherit; font-size: 16px; padding: 8px 10px; border: 1px solid #8a968e; border-radius: 8px; }
    form button { font: inherit; border: 0; border-radius: 8px; padding: 8px 14px; background: ${config.accent}; color: ${onAccent}; cursor: pointer; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    @media (max-width: 600px) {
      .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; bottom: auto; }
      .launcher { bottom: 14px; ${config.left ? "left" : "right"}: 14px; }
    }`;
  if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement("style");
    style.textContent = css;
    root.appendChild(style);
  }

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : value);
    }
    node.append(...children);
    return node;
  }

  function chatIcon() {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z");
    svg.append(path);
    return svg;
  }

  const widget = element("div", { class: "widget" + (config.page ? " page" : "") });
  const badge = element("span", { class: "badge", hidden: true, "aria-hidden": "true" });
  const launcher = element("button", { class: "launcher", type: "button", "aria-expanded": "false", "aria-controls": "sd-panel" }, chatIcon(), badge);
  const status = element("p", { class: "status", "aria-live": "polite", text: "Assistant" });
  const restart = element("button", { class: "restart", type: "button", text: "Start over" });
  const closer = element("button", { class: "close", type: "button", "aria-label": "Close chat", text: "×" });
  const log = element("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Messages" });
  const typing = element("p", { class: "typing", hidden: true, text: "Typing…" });
  const extra = element("div", { class: "extra" });
  const notice = element("p", { class: "notice", role: "status", hidden: true });
  const input = element("input", { id: "sd-text", name: "text", autocomplete: "off", maxlength: "2000", placeholder: "Type your message", enterkeyhint: "send" });
  const composer = element("form", {},
    element("label", { for: "sd-text", class: "visually-hidden", text: "Your message" }), input,
    element("button", { type: "submit", text: "Send" }));
  const header = element("header", {}, element("div", { class: "who" }, element("h2", { text: config.title }), status), restart);
  if (!config.page) header.append(closer);
  const panel = element("section", { class: "panel", id: "sd-panel", role: config.page ? "region" : "dialog", "aria-label": config.title, hidden: !config.page },
    header, log, typing, extra, notice, composer);
  if (!config.page) widget.append(launcher);
  widget.append(panel);
  root.append(widget);

  // --- showing messages ------------------------------------------------------------------------

  const shown = new Set(); // ids of the messages on screen
  let lastId = 0;
  let unread = 0;
  let state = {};

  function safeUrl(text, base) {
    try {
      const url = new URL(text, base || gateway + "/");
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (bad) {
      return null;
    }
  }

  // Text with its http(s) links clickable ([label](url) and bare URLs); everything else as text.
  function richText(text) {
    const out = document.createDocumentFragment();
    const pattern = /\[([^\]\n]{1,200})\]\(([^)\s]{1,2000})\)|(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]])/g;
    let at = 0;
    for (const match of text.matchAll(pattern)) {
      out.append(text.slice(at, match.index));
      const href = match[3] ? safeUrl(match[3]) : /^https?:\/\//i.test(match[2]) ? safeUrl(match[2]) : null;
      if (href) out.append(element("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: match[3] || match[1] }));
      else out.append(match[0]);
      at = match.index + match[0].length;
    }
    out.append(text.slice(at));
    return out;
  }

  function productCards(products) {
    const list = element("ul", { class: "cards", "aria-label": "Products" });
    for (const product of products) {
      const href = safeUrl(product.url || "");
      const card = element(href ? "a" : "div", { class: "card", href: href, target: href ? "_blank" : null, rel: href ? "noopener noreferrer" : null });
      const picture = product.image && safeUrl(product.image);
      if (picture) card.append(element("img", { src: picture, alt: product.name || "", loading: "lazy" }));
      card.append(
        element("strong", { text: product.name || "" }),
        element("span", { class: "price", text: [product.price, product.currency].filter(Boolean).join(" ") }),
        element("span", { class: "stock" + (product.in_stock === false ? " out" : ""), text: product.in_stock === false ? "Sold out" : "In stock" }),
        element("span", { class: "why", text: product.why || "" }));
      list.append(element("li", {}, card));
    }
    return list;
  }

  function senderName(message) {
    if (message.sender === "agent") return state.agent || "Our team";
    return null;
  }

  // The assistant says its product suggestions twice: as text, for channels that cannot draw
  // cards, then as cards. Where the cards are drawn, the text form (it names every card's link)
  // is left out.
  function messageItem(message) {
    const item = element("div", { class: "message from-" + message.sender });
    if (message.id) item.dataset.id = String(message.id);
    item.dataset.text = message.text || "";
    const name = senderName(message);
    if (name) item.append(element("p", { class: "sender", text: name }));
    if (message.text) item.append(element("div", { class: "bubble" }, richText(message.text)));
    const custom = message.custom || {};
    if (custom.type === "product_cards" && Array.isArray(custom.products)) item.append(productCards(custom.products));
    if (Array.isArray(message.buttons) && message.buttons.length) {
      const choices = element("div", { class: "choices" });
      for (const button of message.buttons) {
        const choice = element("button", { type: "button", text: button.title || "" });
        choice.addEventListener("click", () => send(button.payload || button.title, button.title));
        choices.append(choice);
      }
      item.append(choices);
    }
    return item;
  }

  // Quick replies are for the latest answer only: older ones go once the customer has said more.
  function onlyLatestChoices() {
    const items = Array.from(log.children);
    const lastCustomer = items.map((item) => item.classList.contains("from-customer")).lastIndexOf(true);
    items.forEach((item, index) => {
      const choices = item.querySelector(".choices");
      if (choices) choices.hidden = index < lastCustomer;
    });
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function add(message, live) {
    if (message.id && shown.has(message.id)) return;
    if (message.sender === "customer" && message.client_message_id) {
      const pending = log.querySelector(`[data-pending="${CSS.escape(message.client_message_id)}"]`);
      delivered(message.client_message_id);
      if (pending) {
        pending.replaceWith(messageItem(message));
        remember(message);
        onlyLatestChoices();
        return;
      }
    }
    log.append(messageItem(message));
    remember(message);
    onlyLatestChoices();
    if (message.sender !== "customer") {
      typing.hidden = true;
      if (live && !isOpen()) {
        unread += 1;
        showUnread();
      }
    }
    scrollDown();
  }

  function remember(message) {
    if (message.id) {
      shown.add(message.id);
      lastId = Math.max(lastId, message.id);
    }
  }

  function showHistory(messages) {
    log.replaceChildren();
    shown.clear();
    lastId = 0;
    if (!messages.length && config.greeting) log.append(messageItem({ sender: "bot", text: config.greeting }));
    messages.forEach((message) => add(message, false));
    // What was typed while away and reached the gateway after all is not sent again.
    const arrived = new Set(messages.map((m) => m.client_message_id).filter(Boolean));
    saved.outbox = saved.outbox.filter((item) => !arrived.has(item.client_message_id));
    persist();
    saved.outbox.forEach(showPending);
  }

  function showPending(item) {
    if (log.querySelector(`[data-pending="${CSS.escape(item.client_message_id)}"]`)) return;
    const bubble = messageItem({ sender: "customer", text: item.shown });
    bubble.dataset.pending = item.client_message_id;
    bubble.append(element("p", { class: "pending", text: "Sending…" }));
    log.append(bubble);
    scrollDown();
  }

  function applyState(next) {
    state = next || {};
    if (state.owner === "person") status.textContent = "You're chatting with " + (state.agent || "our team");
    else if (state.owner === "queue") status.textContent = "Waiting for a person from our team";
    else status.textContent = "Assistant";
    extra.replaceChildren();
    if (state.awaiting_email) extra.append(emailForm());
    else if (state.lifecycle === "resolved") extra.append(ratingChoices());
  }

  function emailForm() {
    const field = element("input", { id: "sd-email", type: "email", autocomplete: "email", required: true, placeholder: "you@example.com" });
    const form = element("form", { class: "email" },
      element("label", { for: "sd-email", class: "visually-hidden", text: "Your email address" }), field,
      element("button", { type: "submit", text: "Send address" }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (field.value.trim()) send(field.value.trim());
    });
    return element("div", {}, element("p", { text: "Leave your email address and we'll write to you:" }), form);
  }

  function ratingChoices() {
    const choices = element("div", { class: "rating", role: "group", "aria-label": "Rate the help you got" });
    const words = { 1: " (poor)", 5: " (great)" };
    for (let score = 1; score <= 5; score += 1) {
      const button = element("button", { type: "button", "aria-label": `Rate ${score} out of 5${words[score] || ""}`, text: "★ " + score });
      button.addEventListener("click", () => send(String(score)));
      choices.append(button);
    }
    return element("div", {}, element("p", { text: "How would you rate the help you got?" }), choices);
  }

  function say(problem) {
    notice.textContent = problem || "";
    notice.hidden = !problem;
  }

  function showUnread() {
    badge.hidden = unread === 0;
    badge.textContent = String(unread);
    launcher.setAttribute("aria-label", `Open chat: ${config.title}` + (unread ? ` (${unread} unread)` : ""));
  }

  // --- opening and closing ---------------------------------------------------------------------

  function isOpen() {
    return config.page || (!panel.hidden && document.visibilityState !== "hidden");
  }
  function open() {
    if (config.page) return;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    unread = 0;
    showUnread();
    fitViewport();
    scrollDown();
    (composer.hidden ? closer : input).focus();
  }
  function close() {
    if (config.page) return;
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }
  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  closer.addEventListener("click", close);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  showUnread();

  // On a phone the panel fills the screen, and stays above the on-screen keyboard.
  function fitViewport() {
    const viewport = window.visualViewport;
    if (!viewport || config.page || window.innerWidth > 600) {
      panel.style.height = "";
      panel.style.top = "";
      if (config.page && viewport) panel.style.height = viewport.height + "px";
      return;
    }
    panel.style.top = viewport.offsetTop + "px";
    panel.style.height = viewport.height + "px";
  }
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", fitViewport);
    window.visualViewport.addEventListener("scroll", fitViewport);
  }
  fitViewport();

  // --- talking to the gateway ------------------------------------------------------------------

  let socket = null;
  let ready = false; // the socket gave us the conversation's history
  let everReady = false;
  let failures = 0;
  let overHttp = false;
  let retry = null;
  let backoff = 1000;
  let pollTimer = null;
  let stopped = false; // refused for good (identity)

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  async function session(fresh) {
    const body = { token: saved.token, fresh: !!fresh };
    if (identity) body.identity = identity;
    const response = await fetch(gateway + "/widget/v1/session", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      if (answer.identity) return refuse(answer.error);
      say(answer.error || "The chat is not available right now.");
      return false;
    }
    saved.token = answer.token;
    persist();
    return true;
  }

  function refuse(problem) {
    stopped = true;
    composer.hidden = true;
    restart.hidden = true;
    log.replaceChildren();
    say(problem || "The chat is not available.");
    return false;
  }

  function later(then) {
    clearTimeout(retry);
    retry = setTimeout(then, backoff * (0.8 + Math.random() * 0.4));
    backoff = Math.min(backoff * 2, 30000);
  }

  async function start() {
    if (stopped) return;
    try {
      if (!saved.token && !(await session(false))) return;
    } catch (offline) {
      say("Can't reach the chat right now; trying again…");
      return later(start);
    }
    if (overHttp) return pollSoon(0);
    connect();
  }

  function connect() {
    if (stopped || !navigator.onLine) return;
    let opened;
    try {
      opened = new WebSocket(gateway.replace(/^http/, "ws") + "/widget/v1/ws");
    } catch (blocked) {
      return fallBack();
    }
    socket = opened;
    ready = false;
    opened.addEventListener("open", () => opened.send(JSON.stringify({ type: "hello", token: saved.token })));
    opened.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (bad) {
        return;
      }
      handle(frame);
    });
    opened.addEventListener("close", () => {
      if (socket !== opened) return;
      socket = null;
      if (!ready) failures += 1;
      ready = false;
      if (stopped) return;
      if (!everReady && failures >= 2) return fallBack();
      if (navigator.onLine) later(connect);
    });
  }

  function handle(frame) {
    if (frame.type === "history") {
      ready = everReady = true;
      failures = 0;
      backoff = 1000;
      say("");
      showHistory(frame.messages || []);
      applyState(frame.state);
      flush();
    } else if (frame.type === "message") {
      add(frame.message, true);
    } else if (frame.type === "state") {
      applyState(frame.state);
    } else if (frame.type === "ack") {
      delivered(frame.client_message_id);
    } else if (frame.type === "error") {
      failed(frame.client_message_id, frame.error);
    } else if (frame.type === "refused") {
      if (frame.identity) return refuse(frame.error);
      saved.token = null; // signed by another gateway secret, or broken: start a new session
      persist();
      stopped = false;
      start();
    }
  }

  // The WebSocket is blocked (a proxy, a firewall): talk over plain HTTP requests instead.
  function fallBack() {
    overHttp = true;
    socket = null;
    pollSoon(0);
  }

  function headers() {
    return { Authorization: "Bearer " + saved.token, "Content-Type": "application/json" };
  }

  function pollSoon(delay) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, delay);
  }

  let firstPoll = true;
  async function poll() {
    if (stopped) return;
    try {
      const response = await fetch(`${gateway}/widget/v1/messages?after=${firstPoll ? 0 : lastId}`, { headers: headers() });
      const answer = await response.json();
      if (response.status === 401) {
        saved.token = null;
        persist();
        return start();
      }
      if (!response.ok) return answer.identity ? refuse(answer.error) : pollSoon(5000);
      if (firstPoll) {
        firstPoll = false;
        showHistory(answer.messages || []);
      } else {
        (answer.messages || []).forEach((message) => add(message, true));
      }
      applyState(answer.state);
      say("");
      await flush();
      pollSoon(typing.hidden ? 3000 : 1000);
    } catch (offline) {
      pollSoon(5000);
    }
  }

  let flushing = false;
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (const item of saved.outbox.slice()) {
        if (!(await sendOne(item))) break;
      }
    } finally {
      flushing = false;
    }
  }

  // Send one queued message; true when it went (the gateway takes it once, whatever happens).
  async function sendOne(item) {
    const frame = { type: "message", text: item.text, client_message_id: item.client_message_id, page: location.href };
    if (!overHttp) {
      if (!socket || !ready || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(frame));
      return true;
    }
    if (!navigator.onLine || firstPoll) return false;
    try {
      const response = await fetch(gateway + "/widget/v1/messages", {
        method: "POST", headers: headers(), body: JSON.stringify({ ...frame, after: lastId }),
      });
      const answer = await response.json();
      if (!response.ok) {
        failed(item.client_message_id, answer.error);
        return response.status < 500;
      }
      (answer.messages || []).forEach((message) => add(message, true));
      delivered(item.client_message_id);
      applyState(answer.state);
      return true;
    } catch (offline) {
      return false;
    }
  }

  function delivered(clientId) {
    if (!clientId) return;
    saved.outbox = saved.outbox.filter((item) => item.client_message_id !== clientId);
    persist();
  }

  function failed(clientId, problem) {
    delivered(clientId);
    const pending = clientId && log.querySelector(`[data-pending="${CSS.escape(clientId)}"] .pending`);
    if (pending) {
      pending.textContent = "Not sent: " + (problem || "try again");
      pending.classList.add("failed");
    } else {
      say(problem);
    }
    typing.hidden = true;
  }

  function send(text, label) {
    if (stopped) return;
    const item = { client_message_id: newId(), text: text, shown: label || text };
    saved.outbox.push(item);
    persist();
    showPending(item);
    if (state.owner !== "queue" && state.owner !== "person") typing.hidden = false;
    setTimeout(() => { typing.hidden = true; }, 20000);
    if (!navigator.onLine) say("You're offline: your message will be sent when you're back online.");
    if (overHttp) {
      flush().then(() => pollSoon(1000));
    } else {
      flush();
    }
  }

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });

  restart.addEventListener("click", async () => {
    try {
      if (!(await session(true))) return;
    } catch (offline) {
      return say("Can't reach the chat right now: try again in a moment.");
    }
    saved.outbox = [];
    persist();
    showHistory([]);
    applyState({});
    firstPoll = true;
    if (socket) {
      const old = socket;
      socket = null;
      old.close();
    }
    if (overHttp) pollSoon(0);
    else connect();
    input.focus();
  });

  window.addEventListener("offline", () => {
    say("You're offline: messages you type will be sent when you're back online.");
    if (socket) socket.close();
  });
  window.addEventListener("online", () => {
    say("");
    backoff = 1000;
    clearTimeout(retry);
    if (overHttp) pollSoon(0);
    else if (!socket) connect();
  });
  document.addEventListener("visibilitychange", () => {
    if (isOpen()) {
      unread = 0;
      showUnread();
    }
  });

  // The shop's page may open or close the chat, and must drop it when its customer signs out.
  window.supportdesk = {
    open: open,
    close: close,
    signOut() {
      store.removeItem(key);
      saved = { who: null, token: null, outbox: [] };
      stopped = true;
      if (socket) socket.close();
      log.replaceChildren();
    },
  };

  function mount() {
    document.body.append(host);
    if (config.startOpen) open();
    start();
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
