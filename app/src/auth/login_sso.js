// /login: shows the school's single sign-on button once a school code is
// typed. The page itself needs no script (the form posts to the server);
// this only asks which provider the typed school uses.
(() => {
  const input = document.getElementById("school_code");
  const slot = document.getElementById("sso_choice");
  if (!input || !slot) return;
  let asked = slot.dataset.code || "";
  let timer;
  const show = (code, provider) => {
    const label = provider ? slot.dataset[provider] : undefined;
    if (!label) return slot.replaceChildren();
    const link = document.createElement("a");
    link.className = "button sso";
    link.setAttribute("role", "button");
    link.rel = "external";
    link.href = `${slot.dataset.start}?school_code=${encodeURIComponent(code)}`;
    link.textContent = label;
    const line = document.createElement("p");
    line.className = "sso-choice";
    line.append(link);
    slot.replaceChildren(line);
  };
  const ask = async () => {
    const code = input.value.trim();
    if (code === asked) return;
    asked = code;
    if (!code) return show(code, null);
    try {
      const response = await fetch("/api/sso_for_school", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: new URLSearchParams({ school_code: code }),
      });
      const provider = response.ok ? await response.json() : null;
      if (asked === code) show(code, provider);
    } catch {
      // Offline for a moment: the password form still works.
    }
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
})();
