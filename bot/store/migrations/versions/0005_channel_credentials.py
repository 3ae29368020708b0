"""channel API credentials, one per integration, each for one channel

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_channel_credentials_name", "channel_credentials", ["name"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_channel_credentials_name", table_name="channel_credentials")
    op.drop_table("channel_credentials")
