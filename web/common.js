// Shared by the workbench's modules: the CSRF token of this page and JSON requests that carry it.

export const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export class RequestError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// GET or POST JSON; a refusal becomes a RequestError with the server's one-line message.
export async function api(path, body) {
  const options = body === undefined
    ? { headers: { Accept: "application/json" } }
    : {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      };
  const response = await fetch(path, { credentials: "same-origin", ...options });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new RequestError(response.status, data.error ?? `the server answered ${response.status}`);
  return data;
}

export function say(text, isError = false) {
  const element = document.getElementById("message");
  if (!element) return;
  element.textContent = text;
  element.classList.toggle("error", isError);
}

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}
