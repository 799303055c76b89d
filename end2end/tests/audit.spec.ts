import { addStaffMember, createSchool, demoStaff, expect, open, reload, signOut, signedIn, test } from "./fixtures";

test("the audit log shows the actions just taken, newest first", async ({ page, press }, testInfo) => {
  const member = await addStaffMember(page, press, testInfo);
  await press(page.getByRole("row").filter({ hasText: member.username }).getByRole("button", { name: "Edit" }));
  const edit = page.getByRole("dialog", { name: "Edit staff member" });
  await press(edit.getByRole("button", { name: "Reset password via email" }));
  await expect(edit.getByRole("status")).toContainText("Reset link sent by email");

  await open(page, "/audit");
  await page.getByLabel("Actor").fill("office");
  const mine = page.getByRole("row").filter({ hasText: member.username });
  await expect(mine.first()).toContainText("Reset link sent");
  await expect(mine.first()).toContainText("by email");
  await expect(mine.nth(1)).toContainText("Staff member added");

  await page.getByLabel("Action").selectOption("staff_created");
  await expect(page.getByRole("row").filter({ hasText: member.username })).toHaveCount(1);
});

test("a lead teacher's audit log holds learner events only; a teacher has none", async ({ page, press }) => {
  const lead = demoStaff.find((s) => s.school === "OAK" && s.username === "lead")!;
  await signedIn(page, press, lead.school, lead.username, lead.password);
  await open(page, "/audit");
  await expect(page.getByText("As a lead teacher you see the events about learners.")).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "Staff member added" })).toHaveCount(0);

  const teacher = demoStaff.find((s) => s.school === "OAK" && s.username === "teacher")!;
  await signOut(page, press, lead.name);
  await signedIn(page, press, teacher.school, teacher.username, teacher.password);
  await open(page, "/audit");
  await expect(page.getByRole("alert")).toContainText("You do not have permission to open this page");
  // The server refuses too, not only the page.
  const response = await page.request.post("/api/audit_log", {
    headers: { "sec-fetch-site": "same-origin" },
    data: { query: { action: "", actor: "", from: "", to: "", page: 0 } },
  });
  expect(response.status()).toBe(403);
});

test("the audit filters are kept in the address, and an empty result says so", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "office", "oakwood-office-1");
  await open(page, "/audit");
  const summary = page.getByRole("status").filter({ hasText: / · page \d+ of \d+$/ });
  await expect(summary).toBeVisible();
  await page.getByLabel("Action").selectOption("sign_in");
  await page.getByLabel("Actor").fill("offi");
  await page.getByLabel("Target", { exact: true }).fill("office");
  const inAddress = (key: string) => () => new URL(page.url()).searchParams.get(key);
  // The search boxes reach the address once typing pauses.
  await expect.poll(inAddress("target")).toBe("office");
  expect(inAddress("actor")()).toBe("offi");
  expect(inAddress("action")()).toBe("sign_in");
  // Every row is a sign-in of the office (its target is itself). Other
  // tests sign in at the same time, so the count is not compared.
  const rows = page.locator("table.audit tbody tr");
  const everyRow = async (column: number, text: string) => {
    await expect(rows.first()).toBeVisible();
    for (const cell of await rows.locator(`td:nth-child(${column})`).allTextContents()) expect(cell).toBe(text);
  };
  await expect(summary).toHaveText(/^\d+ events? · page 1 of \d+$/);
  await everyRow(3, "Signed in");
  await everyRow(4, "office");

  await reload(page);
  await expect(page.getByLabel("Action")).toHaveValue("sign_in");
  await expect(page.getByLabel("Actor")).toHaveValue("offi");
  await expect(page.getByLabel("Target", { exact: true })).toHaveValue("office");
  await expect(summary).toHaveText(/^\d+ events? · page 1 of \d+$/);
  await everyRow(3, "Signed in");
  await everyRow(4, "office");

  // Nothing found is said in words, not as an empty table.
  await page.getByLabel("Target", { exact: true }).fill("nobody-by-this-name");
  await expect(page.getByText("No events match the filters.")).toBeVisible();
  await expect(page.getByRole("table")).toHaveCount(0);
  await expect(summary).toHaveText("0 events · page 1 of 1");

  // The menu's "Audit log" is the log without filters; an unknown action
  // or a day not in the date field's form reads as none.
  await press(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }));
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByLabel("Action")).toHaveValue("");
  await expect(page.getByLabel("Target", { exact: true })).toHaveValue("");
  await expect(page.getByRole("table")).toBeVisible();
  await open(page, "/audit?action=password_stolen&from=yesterday");
  await expect(page.getByLabel("Action")).toHaveValue("");
  await expect(page.getByLabel("From")).toHaveValue("");
  await expect(page.getByRole("table")).toBeVisible();
});

test("each audit filter's label stays on the line of its control", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "lead", "oakwood-lead-1");
  await open(page, "/audit");
  for (const name of ["Action", "Actor", "Target", "From", "To"]) {
    const control = page.getByLabel(name, { exact: true });
    const label = page.locator(`label[for="${await control.getAttribute("id")}"]`);
    const [l, c] = [await label.boundingBox(), await control.boundingBox()];
    const middle = l!.y + l!.height / 2;
    expect(middle, name).toBeGreaterThan(c!.y);
    expect(middle, name).toBeLessThan(c!.y + c!.height);
    // On one line, never squeezed to a letter a line.
    const lineHeight = await label.evaluate((e) => parseFloat(getComputedStyle(e).lineHeight));
    expect(l!.height, name).toBeLessThan(lineHeight * 1.5);
  }
});

test("a school's time zone is chosen in Settings, and its times and audit days read in it", async ({ page, press }, testInfo) => {
  const code = `Z${testInfo.project.name.slice(0, 1).toUpperCase()}${Date.now() % 1000000}`;
  const email = `owner-${code.toLowerCase()}@school.example`;
  createSchool(code, email, "first-owner-pass-1");
  await signedIn(page, press, "", email, "first-owner-pass-1");
  await open(page, "/settings");
  const zone = page.getByLabel("Time zone");
  await expect(zone).toHaveValue("UTC");
  await expect(zone).toHaveAccessibleDescription(/show times in this zone/);
  await zone.selectOption("Europe/London");
  const form = page.locator("form").filter({ has: zone });
  await press(form.getByRole("button", { name: "Save" }));
  await expect(form.getByRole("status")).toHaveText("Saved");
  await open(page, "/settings");
  await expect(page.getByLabel("Time zone")).toHaveValue("Europe/London");

  await open(page, "/audit");
  const change = page.getByRole("row").filter({ hasText: "time zone UTC → Europe/London" });
  await expect(change).toContainText("Settings changed");
  await expect(change.getByRole("cell").first()).toHaveText(/, \d\d:\d\d (GMT|BST)$/);
  // "Last sign-in" on Users: the full time on hover names the zone.
  await open(page, "/users");
  const own = page.getByRole("row").filter({ hasText: email });
  await expect(own.locator("span[title$='GMT'], span[title$='BST']")).toHaveText(/^Today \d\d:\d\d$/);
});

test("on a narrow screen an audit row's time takes two lines at most and its client address breaks only between groups", async ({ page, press }) => {
  const owner = demoStaff.find((s) => s.school === "OAK" && s.username === "admin")!;
  await signedIn(page, press, owner.school, owner.username, owner.password);
  // A phone's width squeezes the columns most (the time took 7 lines there).
  await page.setViewportSize({ width: 420, height: 900 });
  await open(page, "/audit");
  const row = page.locator("table.audit tbody tr").first();
  await expect(row).toBeVisible();
  const lines = await row.evaluate((tr) => {
    const cells = tr.querySelectorAll("td");
    // The lines a run of text covers, by the distinct tops of its boxes.
    const topsOf = (node: Node, start: number, end: number) => {
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, end);
      return [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top));
    };
    const linesOf = (node: Node, start: number, end: number) => new Set(topsOf(node, start, end)).size;
    const textNodes = (cell: Element) => {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      const nodes: Text[] = [];
      while (walker.nextNode()) nodes.push(walker.currentNode as Text);
      return nodes;
    };
    const timeLines = new Set(textNodes(cells[0]).flatMap((node) => topsOf(node, 0, node.length))).size;
    // Every number of the address (a run of digits or hex) on one line.
    const splitNumbers = textNodes(cells[4]).flatMap((node) =>
      [...node.data.matchAll(/[0-9a-f]+/gi)]
        .filter((m) => linesOf(node, m.index!, m.index! + m[0].length) > 1)
        .map((m) => m[0]),
    );
    return { timeLines, splitNumbers, address: cells[4].textContent };
  });
  expect(lines.address).toMatch(/^[0-9a-f.:]+$/i);
  expect(lines.timeLines).toBeLessThanOrEqual(2);
  expect(lines.splitNumbers).toEqual([]);
});
