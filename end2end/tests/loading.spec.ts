import { expect, open, signedIn, test } from "./fixtures";
import type { Page } from "@playwright/test";

/** The WebAssembly files the page fetches from now on. */
function wasmFetched(page: Page): string[] {
  const files: string[] = [];
  page.on("request", (request) => {
    const name = new URL(request.url()).pathname.split("/").pop()!;
    if (name.endsWith(".wasm")) files.push(name);
  });
  return files;
}

test("the sign-in page loads only the main WebAssembly; a page's own code comes with that page", async ({ page, press }) => {
  const files = wasmFetched(page);
  await open(page, "/login");
  expect(files.filter((f) => f.startsWith("classkeys."))).toHaveLength(1);
  expect(files.filter((f) => f.startsWith("split___"))).toEqual([]);

  // A teacher's pages are in the main file: nothing more to fetch.
  await signedIn(page, press, "OAK", "teacher", "oakwood-teacher-1");
  await open(page, "/classes");
  await page.getByRole("link", { name: "Year 3 Hazel" }).click();
  await expect(page.getByRole("heading", { name: "Year 3 Hazel", level: 1 })).toBeVisible();
  expect(files.filter((f) => !f.startsWith("classkeys."))).toEqual([]);
  // The account page's code comes when it is opened.
  await open(page, "/account");
  expect(files.filter((f) => f.startsWith("split___account_view"))).toHaveLength(1);
  expect(files.filter((f) => /^split___(staff|users|audit|settings|import|rollover)_view/.test(f))).toEqual([]);
});

test("a page opened directly hydrates with its own chunk and works", async ({ page, press }) => {
  await signedIn(page, press, "OAK", "office", "oakwood-office-1");
  const files = wasmFetched(page);
  await open(page, "/users");
  expect(files.filter((f) => f.startsWith("split___users_view"))).toHaveLength(1);
  await page.getByLabel("Role").selectOption("owner");
  await expect(page.getByRole("row").filter({ hasText: "owner@oakwood.example" })).toHaveCount(1);
});
