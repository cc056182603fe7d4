// The local chat page: sends messages and button clicks to POST /api/chat, which runs the
// same handler as Teams, and renders the Adaptive Cards it gets back as plain HTML. As in
// Teams, an Action.Submit's replies come as new messages and an Action.Execute's card
// replaces the card clicked.
// Text from the server is only ever put in the page with textContent (no innerHTML).
"use strict";

const log = document.getElementById("log");
const form = document.getElementById("ask");
const input = document.getElementById("text");
// The server names the page's conversation in its first reply (lokal- and a UUID); the
// page sends that name back with every message after it.
const SAVED = "referatbot-samtale";
let conversation = (sessionStorage.getItem(SAVED) || "").startsWith("lokal-")
  ? sessionStorage.getItem(SAVED) : null;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function scrollDown() { log.scrollTop = log.scrollHeight; }

function addMessage(who, node) {
  const box = el("div", "msg " + who);
  box.appendChild(node);
  log.appendChild(box);
  scrollDown();
  return box;
}

// POST /api/chat: the replies, or an Error saying what went wrong.
async function post(payload) {
  let response;
  try {
    response = await fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(conversation ? Object.assign({ conversation }, payload) : payload),
    });
  } catch (error) {
    throw new Error("Kunne ikke få fat i botten: " + error.message);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error("Fejl: " + (data.error || response.status));
  if (data.conversation !== conversation) {
    conversation = data.conversation;
    sessionStorage.setItem(SAVED, conversation);
  }
  return data.replies;
}

async function busy(work) {
  document.body.dataset.busy = "true";
  try {
    await work();
  } catch (error) {
    addMessage("bot error", el("div", "", error.message));
  } finally {
    document.body.dataset.busy = "false";
    scrollDown();
  }
}

// A message or an Action.Submit: the replies come as new messages.
function send(payload, shown) {
  if (shown) addMessage("user", el("div", "", shown));
  const pending = addMessage("bot pending", el("div", "", "Et øjeblik …"));
  return busy(async () => {
    let replies;
    try { replies = await post(payload); } finally { pending.remove(); }
    for (const reply of replies) {
      // one message, as in Teams: the text (an answer's with its [1], [2]), the card under it
      const box = el("div", "reply");
      if (reply.text) box.appendChild(inlineText(el("div", "text"), reply.text, reply.citations));
      for (const card of reply.cards) box.appendChild(renderCard(card));
      addMessage("bot", box);
    }
    if (!replies.length) addMessage("bot subtle", el("div", "", "(intet svar)"));
  });
}

// An Action.Execute, as Teams does it: the card it answers with replaces the card
// clicked; a sentence is shown below it.
function execute(action, card) {
  card.classList.add("updating");
  return busy(async () => {
    try {
      const [reply] = await post({ value: action.data });
      if (reply && reply.cards.length) card.replaceWith(renderCard(reply.cards[0]));
      else if (reply && reply.text) addMessage("bot", inlineText(el("div"), reply.text));
    } finally {
      card.classList.remove("updating");
    }
  });
}

// --- Adaptive Cards -> HTML ----------------------------------------------------------

function renderCard(card) {
  const root = el("div", "card");
  for (const item of card.body || []) appendElement(root, item);
  if (card.actions && card.actions.length) root.appendChild(renderActions(card.actions));
  return root;
}

function appendElement(parent, item) {
  const node = renderElement(item);
  if (!node) return;
  if (item.separator) node.classList.add("separator");
  if (item.selectAction) makeClickable(node, item.selectAction);
  parent.appendChild(node);
}

function renderElement(item) {
  switch (item.type) {
    case "TextBlock": return renderText(item);
    case "Container": case "Column": {
      const node = el("div", "container");
      for (const child of item.items || []) appendElement(node, child);
      return node;
    }
    case "ColumnSet": {
      const node = el("div", "container");
      node.style.display = "flex";
      node.style.gap = "12px";
      for (const column of item.columns || []) appendElement(node, Object.assign({ type: "Column" }, column));
      return node;
    }
    case "FactSet": {
      const list = el("dl");
      for (const fact of item.facts || []) {
        list.appendChild(el("dt", "", fact.title));
        list.appendChild(el("dd", "", fact.value));
      }
      return list;
    }
    case "ActionSet": return renderActions(item.actions || []);
    default: return null;
  }
}

function renderText(item) {
  const heading = item.style === "heading";
  const node = el("div", heading ? "heading" : "");
  if (item.size) node.classList.add("size-" + item.size.toLowerCase());
  if (item.weight === "Bolder") node.classList.add("bold");
  if (item.isSubtle) node.classList.add("subtle");
  if (item.color === "Accent") node.classList.add("accent");
  if (heading) node.setAttribute("role", "heading");
  return inlineText(node, item.text || "");
}

// The Markdown Adaptive Cards allow that the bot uses: **bold**, "- " lists, line breaks;
// in an answer's text, the [1], [2] of its citations.
function inlineText(node, text, citations) {
  let list = null;
  let paragraph = null;
  for (const line of text.split("\n")) {
    if (line.startsWith("- ")) {
      if (!list) { list = el("ul"); node.appendChild(list); }
      list.appendChild(inline(el("li"), line.slice(2), citations));
      paragraph = null;
    } else if (line.trim() === "") {
      list = null; paragraph = null;
    } else {
      list = null;
      if (paragraph) paragraph.appendChild(el("br"));
      else { paragraph = el("p"); node.appendChild(paragraph); }
      inline(paragraph, line, citations);
    }
  }
  return node;
}

function inline(node, line, citations) {
  line.split(/\*\*(.+?)\*\*/).forEach((part, i) => {
    if (i % 2) node.appendChild(el("strong", "", part));
    else cite(node, part, citations || []);
  });
  return node;
}

// A citation's marker, as Teams shows it: a number that names its source on hover and
// opens the whole punkt when clicked.
function cite(node, text, citations) {
  text.split(/\[(\d+)\]/).forEach((part, i) => {
    const source = i % 2 ? citations.find((c) => String(c.position) === part) : null;
    if (!source) {
      node.appendChild(document.createTextNode(i % 2 ? "[" + part + "]" : part));
      return;
    }
    const button = el("button", "cite", "[" + part + "]");
    button.type = "button";
    button.title = source.name + (source.abstract ? " – " + source.abstract : "");
    button.addEventListener("click", () => send({ value: source.show }, source.name));
    node.appendChild(el("sup")).appendChild(button);
  });
}

// What a click on an action does: Action.Execute updates its card, Action.Submit sends.
function clickHandler(action) {
  if (action.type === "Action.Execute") return (node) => execute(action, node.closest(".card"));
  if (action.type === "Action.Submit") return () => send({ value: action.data }, action.title);
  return null;
}

function renderActions(actions) {
  const row = el("div", "actions");
  for (const action of actions) {
    const click = clickHandler(action);
    if (click) {
      const button = el("button", "", action.title);
      button.type = "button";
      button.addEventListener("click", () => click(button));
      row.appendChild(button);
    } else if (action.type === "Action.OpenUrl" && /^https?:\/\//.test(action.url || "")) {
      const link = el("a", "", action.title);
      link.href = action.url;
      link.target = "_blank";
      link.rel = "noopener";
      row.appendChild(link);
    }
  }
  return row;
}

function makeClickable(node, action) {
  const click = clickHandler(action);
  if (!click) return;
  node.classList.add("clickable");
  node.tabIndex = 0;
  node.setAttribute("role", "button");
  node.title = action.title;
  const go = (event) => {
    if (event.target.closest("button, a")) return;  // the card's own buttons and links
    click(node);
  };
  node.addEventListener("click", go);
  node.addEventListener("keydown", (event) => { if (event.key === "Enter") go(event); });
}

// --- the form ------------------------------------------------------------------------

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  send({ text }, text);
});

send({ text: "hjælp" });
input.focus();
