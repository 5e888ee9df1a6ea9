import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canSeeDeletedContent, decideChannelAccess, hasFullReadAccess, isReadable } from "./policy";
import { buildCurrentMemberIdsSql, buildReadableChannelsSql } from "./repository";
import type { TChannelKind, TRole } from "./types";

const kinds: TChannelKind[] = ["public", "private", "dm", "mpdm"];

describe("decideChannelAccess", () => {
  it("lets everyone read public channels", () => {
    for (const role of ["member", "auditor", "admin"] as TRole[]) {
      assert.equal(decideChannelAccess({ role, kind: "public", isCurrentMember: false }), "public");
    }
  });

  it("lets members read private conversations only while they belong to them", () => {
    for (const kind of kinds.filter((k) => k !== "public")) {
      assert.equal(decideChannelAccess({ role: "member", kind, isCurrentMember: true }), "member");
      assert.equal(decideChannelAccess({ role: "member", kind, isCurrentMember: false }), "none");
    }
  });

  it("lets auditors and admins read everything, privileged where they do not belong", () => {
    for (const role of ["auditor", "admin"] as TRole[]) {
      for (const kind of kinds.filter((k) => k !== "public")) {
        assert.equal(decideChannelAccess({ role, kind, isCurrentMember: false }), "privileged");
        assert.equal(decideChannelAccess({ role, kind, isCurrentMember: true }), "member");
      }
    }
  });

  it("maps bases to readability and roles to full access", () => {
    assert.equal(isReadable("none"), false);
    for (const b of ["public", "member", "privileged"] as const) assert.equal(isReadable(b), true);
    assert.equal(hasFullReadAccess("member"), false);
    assert.equal(hasFullReadAccess("auditor"), true);
    assert.equal(hasFullReadAccess("admin"), true);
    assert.equal(canSeeDeletedContent("member"), false);
    assert.equal(canSeeDeletedContent("auditor"), true);
  });
});

describe("buildReadableChannelsSql", () => {
  it("has no restriction and no parameters for auditors and admins", () => {
    for (const role of ["auditor", "admin"] as TRole[]) {
      const f = buildReadableChannelsSql({ userId: 1, role, personId: 5 });
      assert.deepEqual(f.params, []);
      assert.doesNotMatch(f.sql, /WHERE/);
    }
  });

  it("limits an unlinked member to public channels", () => {
    const f = buildReadableChannelsSql({ userId: 1, role: "member", personId: null });
    assert.deepEqual(f.params, []);
    assert.match(f.sql, /kind = 'public'$/);
  });

  it("numbers its placeholders from firstParam and passes the person id", () => {
    const f = buildReadableChannelsSql({ userId: 1, role: "member", personId: 42 }, 3);
    assert.deepEqual(f.params, [42]);
    assert.match(f.sql, /\$3::int/);
    assert.doesNotMatch(f.sql, /\$1\b|\$2\b|\$4\b/);
  });

  it("refuses a person id that is not a positive integer", () => {
    assert.throws(() => buildReadableChannelsSql({ userId: 1, role: "member", personId: 1.5 }));
    assert.throws(() => buildReadableChannelsSql({ userId: 1, role: "member", personId: -1 }));
  });

  it("refuses an unsafe alias in the member subquery", () => {
    assert.throws(() => buildCurrentMemberIdsSql("c; DROP TABLE x"));
    assert.match(buildCurrentMemberIdsSql("ch"), /ch\.id/);
  });
});
