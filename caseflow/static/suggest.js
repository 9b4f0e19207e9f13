// Tag suggestions on the concern form: as the summary (or the client's own words) is typed, the
// three most likely tags appear under the summary; Alt+1, Alt+2 or Alt+3 adds one as a tag chip
// (one key chord, from anywhere in the form), or Tab to a suggestion and press Enter. A live
// region says what was suggested and what was added. Without JavaScript none of this shows and the
// tag field works as before. The text is sent only to ask; the server neither stores nor logs it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-tag-suggest]");
  const picker = document.querySelector("[data-tag-picker]");
  if (!box || !picker || !window.fetch) return;
  const form = box.closest("form");
  const list = box.querySelector("ul");
  const status = document.querySelector("[data-tag-suggest-status]");
  const chips = picker.querySelector("[data-chips]");
  const sources = ["summary", "client_root_cause"].map((id) => document.getElementById(id)).filter(Boolean);
  let shown = [];
  let timer = 0;
  let pending = null;
  let lastAsked = "";

  const chosen = () => Array.from(chips.querySelectorAll("input[name=tags]")).map((i) => i.value);
  const text = () => sources.map((el) => el.value.trim()).filter(Boolean).join(" ");
  const say = (message) => { if (status) status.textContent = message; };
  // The words it speaks come from the page, in the reader's language (data-say-*).
  const phrase = (key, fallback, vars = {}) =>
    Object.entries(vars).reduce((text, [k, v]) => text.split(`{${k}}`).join(v), box.dataset[key] || fallback);

  const render = (items) => {
    shown = items;
    list.replaceChildren();
    items.forEach((item, i) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.index = String(i);
      button.setAttribute("aria-keyshortcuts", `Alt+${i + 1}`);
      const key = document.createElement("kbd");
      key.textContent = `Alt+${i + 1}`;
      button.append(key, document.createTextNode(` ${item.name}`));
      li.append(button);
      list.append(li);
    });
    box.hidden = items.length === 0;
  };

  const ask = () => {
    const words = text();
    const key = `${words}\u0000${chosen().join(",")}`;
    if (key === lastAsked) return;
    lastAsked = key;
    if (pending) pending.abort();
    if (words.length < 4) { render([]); return; }
    pending = new AbortController();
    const params = new URLSearchParams({ text: words, limit: "3" });
    chosen().forEach((slug) => params.append("chosen", slug));
    fetch(`${box.dataset.url}?${params}`, { signal: pending.signal, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : { suggestions: [] }))
      .then((data) => {
        const items = data.suggestions || [];
        const before = shown.map((s) => s.tag).join(",");
        render(items);
        if (items.length && items.map((s) => s.tag).join(",") !== before) {
          const named = items.map((s, i) => `Alt+${i + 1} ${s.name}`).join(", ");
          say(phrase("saySuggested", "Suggested tags: {list}.", { list: named }));
        }
      })
      .catch(() => {});
  };

  const pick = (index) => {
    const item = shown[index];
    if (!item) return;
    if (!chosen().includes(item.tag)) {
      const li = document.createElement("li");
      const hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = "tags"; hidden.value = item.tag;
      const remove = document.createElement("button");
      remove.type = "button"; remove.textContent = "×";
      remove.setAttribute("data-remove", "");
      remove.setAttribute("aria-label", phrase("sayRemove", "Remove {name}", { name: item.name }));
      li.append(hidden, document.createTextNode(item.name), remove);
      chips.append(li);
    }
    say(phrase("sayAdded", "{name} added as a tag.", { name: item.name }));
    render(shown.filter((_, i) => i !== index));
    lastAsked = "";
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 50);
  };

  sources.forEach((el) => el.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 250);
  }));
  list.addEventListener("click", (ev) => {
    const button = ev.target.closest("button[data-index]");
    if (!button) return;
    const next = button.closest("li").nextElementSibling || button.closest("li").previousElementSibling;
    pick(Number(button.dataset.index));
    const focusable = next && list.contains(next) ? next.querySelector("button") : null;
    (focusable || sources[0]).focus();
  });
  form.addEventListener("keydown", (ev) => {
    if (!ev.altKey || ev.ctrlKey || ev.metaKey || box.hidden) return;
    const match = /^Digit([1-9])$/.exec(ev.code) || /^([1-9])$/.exec(ev.key);
    if (!match) return;
    const index = Number(match[1]) - 1;
    if (index >= shown.length) return;
    ev.preventDefault();
    pick(index);
  });
  if (text()) ask();
});
