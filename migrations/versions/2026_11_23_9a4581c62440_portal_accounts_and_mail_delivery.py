"""portal accounts and mail delivery

Revision ID: 9a4581c62440
Revises: 855a5d369a63
Create Date: 2026-11-23 21:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.rls import enable_tenant_rls

# The mailer runs outside any request, so it does not know which tenants have mail due.
# This walks the tenants, scoping each check to that tenant (RLS stays in force), and
# restores the caller's setting; one round trip per delivery tick.
MAIL_DUE_TENANTS = """
CREATE FUNCTION vetra_mail_due_tenants(p_now timestamptz) RETURNS SETOF uuid
LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  caller_tenant text := current_setting('app.tenant_id', true);
  t uuid;
BEGIN
  FOR t IN SELECT id FROM tenants ORDER BY id LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    IF EXISTS (
      SELECT 1 FROM email_outbox
       WHERE tenant_id = t AND sent_at IS NULL AND next_attempt_at <= p_now
    ) THEN
      RETURN NEXT t;
    END IF;
  END LOOP;
  PERFORM set_config('app.tenant_id', coalesce(caller_tenant, ''), true);
END $$"""

revision: str = "9a4581c62440"
down_revision: str | None = "855a5d369a63"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "password_tokens",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_password_tokens_tenant_id_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_password_tokens_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_tokens")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_password_tokens_tenant_id_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_tokens_token_hash")),
    )
    enable_tenant_rls("password_tokens", lookup_column="token_hash")

    op.add_column(
        "email_outbox", sa.Column("attempts", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("email_outbox", sa.Column("last_error", sa.String(length=500), nullable=True))
    op.add_column(
        "email_outbox",
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            nullable=True,
            server_default=sa.func.now(),
        ),
    )
    # The defaults only filled the rows already queued; new rows get theirs from the app.
    op.alter_column("email_outbox", "attempts", server_default=None)
    op.alter_column("email_outbox", "next_attempt_at", server_default=None)
    op.create_index(
        "ix_email_outbox_due",
        "email_outbox",
        ["tenant_id", "next_attempt_at"],
        unique=False,
        postgresql_where="sent_at is null",
    )
    op.execute(MAIL_DUE_TENANTS)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS vetra_mail_due_tenants(timestamptz)")
    op.drop_index(
        "ix_email_outbox_due", table_name="email_outbox", postgresql_where="sent_at is null"
    )
    op.drop_column("email_outbox", "next_attempt_at")
    op.drop_column("email_outbox", "last_error")
    op.drop_column("email_outbox", "attempts")
    op.drop_table("password_tokens")
