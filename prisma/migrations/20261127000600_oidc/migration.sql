-- External sign-in identities (OpenID Connect / Sign in with Slack): the
-- (issuer, subject) pair an identity provider vouches for, linked to an
-- account, so a changed e-mail address at the provider still finds it.
CREATE TABLE "user_identity" (
  "id" SERIAL PRIMARY KEY,
  "user_id" INTEGER NOT NULL REFERENCES "app_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "provider" TEXT NOT NULL,
  "issuer" TEXT NOT NULL,
  "subject" TEXT NOT NULL,
  "email" TEXT,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "last_login_at" TIMESTAMPTZ(6)
);
CREATE UNIQUE INDEX "user_identity_issuer_subject_key" ON "user_identity" ("issuer", "subject");
CREATE INDEX "user_identity_user_id_idx" ON "user_identity" ("user_id");
