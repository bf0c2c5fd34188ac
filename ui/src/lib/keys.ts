// Keyboard behaviour of composite widgets, as the ARIA practices describe them.

/** A radio group or a tab list (`use:choiceGroup`): one Tab stop (the chosen item), the arrow
 * keys (and Home/End) move to the next item and choose it. The items are the node's children
 * with role "radio" or "tab"; which one is chosen is read from aria-checked / aria-selected,
 * kept current by the component. */
export function choiceGroup(node: HTMLElement) {
  const items = () => [...node.querySelectorAll<HTMLElement>('[role="radio"], [role="tab"]')];
  const chosen = (el: HTMLElement) => el.getAttribute("aria-checked") === "true" || el.getAttribute("aria-selected") === "true";
  const stops = () => {
    const all = items();
    const on = all.find(chosen) ?? all[0];
    for (const el of all) el.tabIndex = el === on ? 0 : -1;
  };
  function onKey(e: KeyboardEvent) {
    const all = items();
    const i = all.indexOf(document.activeElement as HTMLElement);
    if (i < 0) return;
    let j: number;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") j = (i + 1) % all.length;
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") j = (i - 1 + all.length) % all.length;
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = all.length - 1;
    else return;
    e.preventDefault();
    all[j].focus();
    all[j].click();
  }
  stops();
  const mo = new MutationObserver(stops);
  mo.observe(node, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-checked", "aria-selected"] });
  node.addEventListener("keydown", onKey);
  return {
    destroy() {
      mo.disconnect();
      node.removeEventListener("keydown", onKey);
    },
  };
}
