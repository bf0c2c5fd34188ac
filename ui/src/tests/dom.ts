// DOM helpers of the component tests: elements by data-testid, anywhere in the document (dialogs
// live at the end of <body>).
import { expect } from "vitest";

/** Every element with this data-testid. */
export const q = (id: string) => [...document.body.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

/** The one element with this data-testid (fails when there are none or several). */
export const one = (id: string) => {
  const all = q(id);
  expect(all.length, id).toBe(1);
  return all[0];
};
