// Live updates for the staff inbox over /inbox/ws. Customer text goes in with textContent only.
"use strict";
(function () {
  const queue = document.querySelector("[data-live=queue]");
  const conversation = document.querySelector("[data-live=conversation]");
  if (!queue && !conversation) return;

  function item(message) {
    const li = document.createElement("li");
    li.className = "message from-" + message.sender;
    li.dataset.sender = message.sender;
    li.dataset.message = message.id;
    const sender = document.createElement("span");
    sender.className = "sender";
    sender.textContent = message.sender;
    const text = document.createElement("p");
    text.textContent = message.text;
    const time = document.createElement("time");
    time.dateTime = message.created_at;
    time.textContent = message.created_at.slice(11, 16);
    li.append(sender, text, time);
    return li;
  }

  // How a message to the customer fared on their platform (WhatsApp, Slack, e-mail).
  const DELIVERY = {pending: "sending…", sent: "sent", delivered: "delivered", read: "read", failed: "not delivered"};

  function showDelivery(data) {
    const li = document.querySelector('#messages li[data-message="' + Number(data.message) + '"]');
    if (!li || !(data.status in DELIVERY)) return;
    let badge = li.querySelector(".delivery");
    if (!badge) {
      badge = document.createElement("span");
      li.appendChild(badge);
    }
    badge.className = "delivery delivery-" + data.status;
    badge.textContent = DELIVERY[data.status] + (data.error ? ": " + data.error : "");
  }

  function conversationLink(c) {
    const li = document.createElement("li");
    li.dataset.conversation = c.id;
    const link = document.createElement("a");
    link.href = "/inbox/conversations/" + c.id;
    const who = document.createElement("strong");
    who.textContent = c.customer;
    link.append(who, " on " + c.channel);
    li.appendChild(link);
    if (c.reason) {
      const reason = document.createElement("span");
      reason.className = "reason";
      reason.textContent = c.reason;
      li.appendChild(reason);
    }
    const asked = (c.summary && c.summary.asked) || [];
    const intents = (c.summary && c.summary.intents) || [];
    if (asked.length || intents.length) {
      // Summaries written before they were put in words name intents instead.
      const summary = document.createElement("p");
      summary.className = "summary";
      summary.textContent = asked.length ? "The customer " + asked.join("; ") + "." : "Asked about: " + intents.join(", ");
      li.appendChild(summary);
    }
    if (c.summary && c.summary.last_messages && c.summary.last_messages.length) {
      const last = document.createElement("p");
      last.className = "summary last";
      last.textContent = "“" + c.summary.last_messages[c.summary.last_messages.length - 1].text + "”";
      li.appendChild(last);
    }
    return li;
  }

  function fill(list, conversations, empty) {
    list.replaceChildren(...conversations.map(conversationLink));
    if (!conversations.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = empty;
      list.appendChild(li);
    }
  }

  async function refreshQueue() {
    const response = await fetch("/inbox/queue.json", {credentials: "same-origin"});
    if (!response.ok) return;
    const data = await response.json();
    fill(document.getElementById("waiting"), data.waiting, "Nobody is waiting.");
    fill(document.getElementById("mine"), data.mine, "You have no open conversations.");
    document.getElementById("waiting-count").textContent = data.waiting.length;
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/inbox/ws");
    socket.addEventListener("open", () => { if (queue) refreshQueue(); });
    socket.addEventListener("message", (event) => {
      const data = JSON.parse(event.data);
      if (queue && data.type === "conversation") refreshQueue();
      if (!conversation) return;
      const id = Number(conversation.dataset.conversation);
      if (data.type === "message" && data.conversation === id) {
        document.getElementById("messages").appendChild(item(data.message));
      } else if (data.type === "delivery" && data.conversation === id) {
        showDelivery(data);
      } else if (data.type === "conversation" && data.conversation.id === id
                 && data.conversation.status !== conversation.dataset.status) {
        location.reload();  // the actions on offer depend on the status
      }
    });
    socket.addEventListener("close", () => setTimeout(connect, 2000));
  }
  connect();
})();
