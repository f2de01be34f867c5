// The accounts page: an admin adds an account.
import { api, say } from "./common.js";

document.getElementById("add-user").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    const made = await api("/api/users", {
      name: form.get("name"), role: form.get("role"), password: form.get("password"),
    });
    say(`added ${made.role} ${made.name}`);
    setTimeout(() => location.reload(), 600);
  } catch (error) {
    say(error.message, true);
  }
});
