// The customer's side of the web chat. Every text is put into the page with textContent, never as HTML.
"use strict";
(function () {
  const list = document.getElementById("messages");
  const form = document.getElementById("send");
  const input = document.getElementById("text");
  const problem = document.getElementById("problem");
  let socket;

  function show(message) {
    const item = document.createElement("li");
    item.className = "message from-" + message.sender;
    item.dataset.sender = message.sender;
    const text = document.createElement("p");
    text.textContent = message.text;
    item.appendChild(text);
    const custom = message.custom || {};
    if (custom.type === "product_cards") {
      for (const product of custom.products || []) {
        const card = document.createElement("a");
        card.className = "card";
        card.href = product.url;
        card.target = "_blank";
        card.rel = "noopener";
        if (product.image) {
          const picture = document.createElement("img");
          picture.src = product.image;
          picture.alt = product.name;
          picture.loading = "lazy";
          card.appendChild(picture);
        }
        const name = document.createElement("strong");
        name.textContent = product.name + " (" + product.price + " " + (product.currency || "") + ")";
        const why = document.createElement("span");
        why.textContent = product.why || "";
        card.append(name, why);
        item.appendChild(card);
      }
    }
    for (const button of message.buttons || []) {
      const choice = document.createElement("button");
      choice.type = "button";
      choice.className = "choice";
      choice.textContent = button.title;
      choice.addEventListener("click", () => send(button.payload, button.title));
      item.appendChild(choice);
    }
    list.appendChild(item);
    item.scrollIntoView({block: "end"});
  }

  function send(text, shown) {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      problem.textContent = "Reconnecting… please send again in a moment.";
      problem.hidden = false;
      return;
    }
    socket.send(JSON.stringify({text: text}));
    show({sender: "customer", text: shown || text});
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/chat/ws");
    socket.addEventListener("open", () => { problem.hidden = true; });
    socket.addEventListener("message", (event) => {
      const data = JSON.parse(event.data);
      if (data.type === "history") {
        list.replaceChildren();
        data.messages.forEach(show);
      } else if (data.type === "message") {
        show(data.message);
      } else if (data.type === "error") {
        problem.textContent = data.error;
        problem.hidden = false;
      }
    });
    socket.addEventListener("close", () => setTimeout(connect, 2000));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text) {
      send(text);
      input.value = "";
    }
  });
  connect();
})();
