// Keyboard shortcuts for the frequent moves. Plain keys act when the agent is not typing; Esc leaves a field.

const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

/** Visible cards, in screen order. */
function cards() {
  return [...document.querySelectorAll("#call .card, #call .banner")].filter((el) => !el.hidden && el.offsetParent);
}

/** Move focus to the next (+1) or previous (-1) card. */
export function moveCard(step) {
  const list = cards();
  if (!list.length) return;
  const here = list.indexOf(document.activeElement?.closest(".card, .banner"));
  const next = list[here < 0 ? (step > 0 ? 0 : list.length - 1) : (here + step + list.length) % list.length];
  if (!next.hasAttribute("tabindex")) next.setAttribute("tabindex", "-1");
  next.focus();
  next.scrollIntoView({ block: "nearest" });
}

/**
 * @param {{copy: Function, act: Function, ask: Function, say: Function, help: Function}} on
 */
export function installKeys(on) {
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const target = e.target;
    if (TYPING.has(target.tagName) || target.isContentEditable) {
      if (e.key === "Escape") target.blur();
      return;
    }
    if (document.querySelector("dialog[open]")) return; // the dialog's own keys: Enter, Esc
    const actions = {
      c: on.copy, a: on.act, j: () => moveCard(1), n: () => moveCard(1), k: () => moveCard(-1),
      p: () => moveCard(-1), "/": on.ask, s: on.say, "?": on.help,
    };
    const run = actions[e.key.length === 1 ? e.key.toLowerCase() : e.key];
    if (!run) return;
    e.preventDefault();
    run();
  });
}
