// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("submit", (ev) => {
      if (!window.confirm(el.dataset.confirm)) ev.preventDefault();
    });
  });
});

// Tag picker: a combobox. Typing shows the matching tags with the first one highlighted; Arrow keys
// move the highlight; Enter (or ";") turns the highlighted tag into a removable chip and never
// submits the form while a tag is half-typed. Without JavaScript the text field still works: type
// tag names separated by semicolons (the browser's datalist suggests them).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-tag-picker]").forEach((picker) => {
    const input = picker.querySelector("input[list]");
    const chips = picker.querySelector("[data-chips]");
    if (!input || !chips) return;
    // The words it speaks come from the page, in the reader's language (data-say-*).
    const phrase = (key, fallback, vars = {}) =>
      Object.entries(vars).reduce((text, [k, v]) => text.split(`{${k}}`).join(v), picker.dataset[key] || fallback);
    const tags = Array.from(picker.querySelectorAll("datalist option")).map((o) => ({
      name: o.value, slug: o.dataset.slug, category: o.textContent.trim(),
    }));
    input.removeAttribute("list");
    const listbox = document.createElement("ul");
    listbox.id = `${input.id}-suggestions`;
    listbox.className = "tag-suggestions";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", phrase("sayMatching", "Matching tags"));
    listbox.hidden = true;
    input.insertAdjacentElement("afterend", listbox);
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    picker.append(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    let matches = [];
    let active = -1;

    const chosen = () => new Set(Array.from(chips.querySelectorAll("input[name=tags]")).map((i) => i.value));
    const query = () => (input.value.split(";").pop() || "").trim().toLowerCase();
    const rank = (tag, q) => {
      const name = tag.name.toLowerCase();
      if (name === q || tag.slug === q) return 0;
      if (name.startsWith(q) || tag.slug.startsWith(q)) return 1;
      if (name.split(/[\s/-]+/).some((w) => w.startsWith(q))) return 2;
      if (name.includes(q) || tag.slug.includes(q)) return 3;
      return -1;
    };
    const close = () => {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    };
    const render = () => {
      listbox.replaceChildren();
      matches.forEach((tag, i) => {
        const li = document.createElement("li");
        li.id = `${listbox.id}-${i}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        li.dataset.index = String(i);
        const hint = document.createElement("span");
        hint.className = "muted";
        hint.textContent = ` ${tag.category}`;
        li.append(document.createTextNode(tag.name), hint);
        listbox.append(li);
      });
      if (!matches.length) { close(); return; }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", `${listbox.id}-${active}`);
        listbox.children[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    };
    const update = () => {
      const q = query();
      const taken = chosen();
      matches = q ? tags
        .map((tag) => ({ tag, r: rank(tag, q) }))
        .filter((m) => m.r >= 0 && !taken.has(m.tag.slug))
        .sort((a, b) => a.r - b.r || a.tag.name.localeCompare(b.tag.name))
        .slice(0, 8)
        .map((m) => m.tag) : [];
      active = matches.length ? 0 : -1;
      render();
    };
    const addChip = (tag) => {
      if (chosen().has(tag.slug)) return;
      const li = document.createElement("li");
      const hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = "tags"; hidden.value = tag.slug;
      const remove = document.createElement("button");
      remove.type = "button"; remove.textContent = "×";
      remove.setAttribute("data-remove", "");
      remove.setAttribute("aria-label", phrase("sayRemove", "Remove {name}", { name: tag.name }));
      li.append(hidden, document.createTextNode(tag.name), remove);
      chips.append(li);
    };
    const pick = (tag) => {
      addChip(tag);
      const parts = input.value.split(";");
      parts.pop();
      input.value = parts.filter((p) => p.trim()).map((p) => p.trim()).join("; ");
      status.textContent = phrase("sayAdded", "{name} added.", { name: tag.name });
      matches = []; active = -1;
      close();
      input.focus();
    };
    const exact = () => {
      const q = query();
      return q ? tags.find((tag) => rank(tag, q) === 0) : undefined;
    };

    input.addEventListener("input", update);
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        if (listbox.hidden) update();
        if (!matches.length) return;
        ev.preventDefault();
        const step = ev.key === "ArrowDown" ? 1 : -1;
        active = (active + step + matches.length) % matches.length;
        render();
      } else if (ev.key === "Enter" || ev.key === ";") {
        if (!query()) return; // an empty box: Enter submits the form as usual
        ev.preventDefault(); // a half-typed tag never submits the form
        if (listbox.hidden) update();
        if (active >= 0) pick(matches[active]);
        else status.textContent = phrase("sayNone", "No tag matches “{query}”.", { query: query() });
      } else if (ev.key === "Escape" && !listbox.hidden) {
        ev.preventDefault();
        close();
      }
    });
    // Leaving the box with a tag's exact name typed takes it, as a picked suggestion would.
    input.addEventListener("change", () => { const tag = exact(); if (tag) pick(tag); });
    input.addEventListener("blur", () => window.setTimeout(() => {
      if (document.activeElement !== input) close(); // still away: a click on a suggestion keeps focus here
    }, 150));
    listbox.addEventListener("mousedown", (ev) => {
      const li = ev.target.closest("[role=option]");
      if (!li) return;
      ev.preventDefault(); // keep the focus in the box
      pick(matches[Number(li.dataset.index)]);
    });
    chips.addEventListener("click", (ev) => {
      if (ev.target.matches("[data-remove]")) { ev.target.closest("li").remove(); input.focus(); }
    });
  });
});

// The site menu on a phone: folded behind a "Menu" button (a disclosure), so the page starts near
// the top of the screen. Wider screens, and browsers without JavaScript, show it open.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("[data-menu-toggle]");
  const menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) return;
  const narrow = window.matchMedia("(max-width: 40rem)");
  const show = (open) => {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-collapsed", !open);
  };
  const fit = () => {
    button.hidden = !narrow.matches;
    show(!narrow.matches);
  };
  button.addEventListener("click", () => show(button.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && narrow.matches && button.getAttribute("aria-expanded") === "true") {
      show(false);
      button.focus();
    }
  });
  narrow.addEventListener("change", fit);
  fit();
});

// Charts keep their text at 11 px or more: on a narrow screen a chart keeps its drawn width and
// scrolls sideways inside its own box (focusable, so it scrolls from the keyboard too) instead of
// shrinking its labels to a few pixels. Without JavaScript charts scale down with the page.
document.addEventListener("DOMContentLoaded", () => {
  const boxes = Array.from(document.querySelectorAll("svg.chart")).map((svg) => {
    const box = document.createElement("div");
    box.className = "chart-scroll";
    const title = svg.querySelector("title");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", title ? title.textContent : "Chart");
    svg.replaceWith(box);
    box.append(svg);
    return box;
  });
  const focusable = () => boxes.forEach((box) => {
    if (box.scrollWidth > box.clientWidth + 1) box.tabIndex = 0;
    else box.removeAttribute("tabindex");
  });
  focusable();
  window.addEventListener("resize", focusable);
});

// Slugs from names: a slug field marked data-slug-from="<name field id>" follows the name as it is
// typed, until someone edits the slug itself. Without JavaScript the server makes the same slug.
document.addEventListener("DOMContentLoaded", () => {
  const slugify = (text) =>
    text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60).replace(/-+$/, "");
  document.querySelectorAll("[data-slug-from]").forEach((slug) => {
    const name = document.getElementById(slug.dataset.slugFrom);
    if (!name) return;
    let follow = slug.value === "" || slug.value === slugify(name.value);
    slug.addEventListener("input", () => { follow = slug.value === ""; });
    name.addEventListener("input", () => { if (follow) slug.value = slugify(name.value); });
  });
});
