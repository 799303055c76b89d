import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { demoStaff, expect, office, open, signedIn, test } from "./fixtures";
import type { Browser, Locator } from "@playwright/test";

type Press = (target: Locator) => Promise<void>;

const teacher = demoStaff.find((s) => s.username === "teacher")!;

/** An office admin, in a browser of their own, turns "Badge sign-in" on for Oakwood (both projects may race: retried). */
async function turnBadgesOn(browser: Browser) {
  const context = await browser.newContext({ baseURL: process.env.CLASSKEYS_URL });
  const page = await context.newPage();
  const press: Press = (target) => target.click();
  await signedIn(page, press, office.school, office.username, office.password);
  await expect(async () => {
    await open(page, "/settings");
    const toggle = page.getByLabel("Badge sign-in");
    if (await toggle.isChecked()) return;
    await toggle.check();
    await press(page.getByRole("button", { name: "Save", exact: true }));
    await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
  await context.close();
}

/**
 * A short Y4M video (what Chromium's fake camera plays) of `png` centred
 * on white, 640×480: luma from the picture, neutral chroma.
 */
function y4mOf(png: PNG, file: string) {
  const [W, H] = [640, 480];
  const scale = Math.max(1, Math.floor(Math.min((W - 40) / png.width, (H - 40) / png.height)));
  const [ox, oy] = [(W - png.width * scale) >> 1, (H - png.height * scale) >> 1];
  const luma = Buffer.alloc(W * H, 255);
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      const value = Math.round(0.299 * png.data[i] + 0.587 * png.data[i + 1] + 0.114 * png.data[i + 2]);
      for (let dy = 0; dy < scale; dy++) luma.fill(value, (oy + y * scale + dy) * W + ox + x * scale, (oy + y * scale + dy) * W + ox + (x + 1) * scale);
    }
  }
  const chroma = Buffer.alloc((W / 2) * (H / 2), 128);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), luma, chroma, chroma]);
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), ...Array(10).fill(frame)]));
}

/** Reads the QR code in a screenshot of `image`. */
async function decodeQr(image: Locator): Promise<string> {
  const shot = await image.screenshot();
  const png = PNG.sync.read(shot);
  const found = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(found, "a QR code in the screenshot").not.toBeNull();
  return found!.data;
}

test("a teacher prints login cards with QR badges; a badge signs its learner in until voided", async ({ page, press, browser }, testInfo) => {
  await turnBadgesOn(browser);
  await signedIn(page, press, teacher.school, teacher.username, teacher.password);
  await open(page, "/classes");
  await press(page.getByRole("link", { name: "Year 3 Hazel" }));
  await expect(page.getByRole("heading", { name: "Year 3 Hazel" })).toBeVisible();
  await press(page.getByRole("button", { name: "Create badges" }));
  await expect(page.locator("p.notice")).toHaveText(/Created \d+ badges?\.|already has a badge/);
  await expect(page.getByText("QR badge", { exact: true }).first()).toBeVisible();

  // Every learner of the class gets a card.
  await press(page.getByRole("link", { name: "Login cards" }));
  await expect(page.getByRole("heading", { name: "Login cards: Year 3 Hazel" })).toBeVisible();
  const cards = page.getByRole("article");
  await expect(cards).toHaveCount(28);
  await expect(page.getByRole("status")).toHaveText("28 cards. Cut along the dashed lines.");
  await expect(page.getByRole("link", { name: "← Back to the class" })).toHaveAttribute("href", /^\/classes\/[^/]+$/);
  // Every card has its QR code but the one the other project may have
  // voided meanwhile (its own learner).
  await expect(cards.nth(27)).toBeVisible();
  expect(await page.getByRole("img", { name: /^QR badge for / }).count()).toBeGreaterThanOrEqual(27);

  // Printed: only the cards show, and a PDF renders.
  await page.emulateMedia({ media: "print" });
  await expect(page.locator(".site-header")).toBeHidden();
  await expect(page.getByRole("button", { name: "Print" })).toBeHidden();
  await expect(page.getByRole("link", { name: "← Back to the class" })).toBeHidden();
  await expect(cards.first()).toBeVisible();
  // At the printable width of A4 and of US Letter (10 mm margins), every
  // username and password is whole: within its card, clear of the QR code.
  const viewport = page.viewportSize()!;
  for (const [paper, width] of [["A4", 718], ["Letter", 741]] as const) {
    await page.setViewportSize({ width, height: 1100 });
    const clashes = await page.locator(".login-card").evaluateAll((all) =>
      all.flatMap((card) => {
        const box = card.getBoundingClientRect();
        const qr = card.querySelector(".card-qr img")?.getBoundingClientRect();
        return [...card.querySelectorAll(".card-details dd")].flatMap((dd) => {
          const text = dd.getBoundingClientRect();
          const hidden = dd.scrollWidth > dd.clientWidth + 1 || text.right > box.right + 1 || text.bottom > box.bottom + 1;
          const underQr = qr !== undefined && text.right > qr.left && text.left < qr.right && text.bottom > qr.top && text.top < qr.bottom;
          return hidden || underQr ? [`${card.querySelector("h2")?.textContent}: ${dd.textContent}`] : [];
        });
      }),
    );
    expect(clashes, `${paper}: usernames and passwords hidden or under a QR code`).toEqual([]);
  }
  await page.setViewportSize(viewport);
  if (testInfo.project.name === "desktop") {
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.subarray(0, 4).toString()).toBe("%PDF");
    const letter = await page.pdf({ format: "Letter" });
    expect(letter.subarray(0, 4).toString()).toBe("%PDF");
  }
  await page.emulateMedia({ media: "screen" });

  // One learner per project, so the two projects never void each other's
  // badge, and none that another spec touches: classes.spec resets the
  // passwords of Hazel's first rows, which ends those learners' sessions.
  const card = cards.nth(testInfo.project.name === "desktop" ? 20 : 21);
  const name = (await card.getByRole("heading").textContent())!;
  const url = await decodeQr(card.getByRole("img", { name: `QR badge for ${name}` }));
  expect(url).toMatch(new RegExp(`^${process.env.CLASSKEYS_URL}/badge#[A-Za-z0-9_-]{43}$`));

  // The card shown to a fresh tablet: signed in as that learner.
  const tablet = await browser.newContext({ viewport: { width: 768, height: 1024 }, hasTouch: true, isMobile: true });
  const child = await tablet.newPage();
  await child.goto(url);
  await expect(child.getByRole("heading", { name: `Welcome, ${name}` })).toBeVisible();
  expect(child.url()).not.toContain("#");
  await tablet.close();

  // Another learner's card held up to the camera on /badge (Chromium's fake
  // camera playing a video of the card's QR code).
  const other = cards.nth(testInfo.project.name === "desktop" ? 22 : 23);
  const otherName = (await other.getByRole("heading").textContent())!;
  mkdirSync(testInfo.outputDir, { recursive: true });
  const video = join(testInfo.outputDir, "badge.y4m");
  y4mOf(PNG.sync.read(await other.getByRole("img", { name: `QR badge for ${otherName}` }).screenshot()), video);
  const launch = testInfo.project.use.launchOptions!;
  const withCamera = await chromium.launch({
    ...launch,
    args: [...(launch.args ?? []), "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${video}`],
  });
  const cameraContext = await withCamera.newContext({ permissions: ["camera"] });
  const scanner = await cameraContext.newPage();
  await open(scanner, `${process.env.CLASSKEYS_URL}/badge`);
  await expect(scanner.getByRole("heading", { name: "Scan badge" })).toBeVisible();
  await scanner.getByRole("button", { name: "Scan with camera" }).click();
  await expect(scanner.getByRole("heading", { name: `Welcome, ${otherName}` })).toBeVisible({ timeout: 20_000 });
  await withCamera.close();

  // Voided on the class page: the same card is refused.
  await page.goBack();
  await expect(page.getByRole("heading", { name: "Year 3 Hazel" })).toBeVisible();
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: name }) });
  await press(row.getByRole("button", { name: "Void badge" }));
  await expect(page.locator("p.notice")).toHaveText(`Voided ${name}'s badge: it no longer signs in.`);
  const later = await browser.newContext();
  const again = await later.newPage();
  await again.goto(url);
  await expect(again.getByRole("alert")).toHaveText("This badge does not work any more. Ask your teacher for a new login card.");
  await later.close();
});

test("a lead teacher opens the whole school's login cards from the student database", async ({ page, press }) => {
  const lead = demoStaff.find((s) => s.username === "lead")!;
  await signedIn(page, press, lead.school, lead.username, lead.password);
  await open(page, "/school/learners");
  await press(page.getByRole("link", { name: "Login cards" }));
  await expect(page.getByRole("heading", { name: "Login cards: All classes" })).toBeVisible();
  // Oakwood's three demo classes of 28, and any learners other tests added.
  expect(await page.getByRole("article").count()).toBeGreaterThanOrEqual(84);
  await expect(page.getByRole("article").first()).toContainText("Oakwood Primary");
});
