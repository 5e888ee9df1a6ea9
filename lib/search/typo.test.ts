import { test } from "node:test";
import assert from "node:assert/strict";
import { editDistance, pickCorrections } from "./typo";

test("edit distance counts a swap of neighbours as one edit", () => {
  assert.equal(editDistance("hygeine", "hygiene"), 1);
  assert.equal(editDistance("kubernets", "kubernetes"), 1);
  assert.equal(editDistance("sharelatx", "sharelatex"), 1);
  assert.equal(editDistance("restart", "restart"), 0);
  assert.equal(editDistance("abc", ""), 3);
  assert.equal(editDistance("deploy", "deplyo"), 1);
  assert.equal(editDistance("kitten", "sitting"), 3);
});

test("corrections are near words, nearest and most common first", () => {
  const vocab = [
    { word: "hygiene", ndoc: 12 },
    { word: "hygienic", ndoc: 40 },
    { word: "hygeia", ndoc: 1 },
  ];
  assert.deepEqual(pickCorrections("hygeine", vocab), ["hygiene"]);
  assert.deepEqual(
    pickCorrections("kubernets", [
      { word: "kubernetes", ndoc: 9 },
      { word: "kubernete", ndoc: 30 },
      { word: "kubelets", ndoc: 50 },
    ]),
    ["kubernete", "kubernetes", "kubelets"],
  );
  assert.deepEqual(pickCorrections("deploy", [{ word: "deploy", ndoc: 5 }]), [], "the word itself is no correction");
  assert.deepEqual(pickCorrections("short", [{ word: "shirts", ndoc: 5 }]), [], "two edits are too many for five letters");
});
