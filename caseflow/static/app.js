// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("submit", (ev) => {
      if (!window.confirm(el.dataset.confirm)) ev.preventDefault();
    });
  });
});

// Tag picker: picking a tag from the list turns it into a removable chip. Without JavaScript the
// text field still works: type tag names separated by semicolons.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-tag-picker]").forEach((picker) => {
    const input = picker.querySelector("input[list]");
    const chips = picker.querySelector("[data-chips]");
    const options = Array.from(picker.querySelectorAll("datalist option"));
    const bySlugOrName = (text) => {
      const t = text.trim().toLowerCase();
      return options.find((o) => o.value.toLowerCase() === t || o.dataset.slug === t);
    };
    const addChip = (option) => {
      const slug = option.dataset.slug;
      if (chips.querySelector(`input[value="${slug}"]`)) return;
      const li = document.createElement("li");
      const hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = "tags"; hidden.value = slug;
      const remove = document.createElement("button");
      remove.type = "button"; remove.textContent = "×";
      remove.setAttribute("data-remove", "");
      remove.setAttribute("aria-label", `Remove ${option.value}`);
      li.append(hidden, document.createTextNode(option.value), remove);
      chips.append(li);
    };
    const takeInput = () => {
      const option = bySlugOrName(input.value);
      if (option) { addChip(option); input.value = ""; return true; }
      return false;
    };
    input.addEventListener("change", takeInput);
    // Choosing from the suggestion list fills the whole name: take it at once.
    input.addEventListener("input", (ev) => {
      if (ev.inputType === "insertReplacementText" || ev.inputType === undefined) takeInput();
    });
    input.addEventListener("keydown", (ev) => {
      if ((ev.key === "Enter" || ev.key === ";") && input.value.trim() && takeInput()) ev.preventDefault();
    });
    chips.addEventListener("click", (ev) => {
      if (ev.target.matches("[data-remove]")) { ev.target.closest("li").remove(); input.focus(); }
    });
  });
});
