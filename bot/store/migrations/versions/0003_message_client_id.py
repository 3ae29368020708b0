"""a channel's own id for a customer's message, so that one sent again is stored once

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.String(length=100), nullable=True))
        batch_op.create_index("ix_messages_client_id", ["conversation_id", "client_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_index("ix_messages_client_id")
        batch_op.drop_column("client_id")
