"""who owns a conversation, apart from where it is in its life

The single ``status`` column (bot, waiting, assigned, resolved, closed) becomes ``owner``
(assistant, queue, person) and ``lifecycle`` (open, resolved, closed); existing rows keep their
state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 18:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# status -> (owner, lifecycle), as bot.handoff.STATES had it when this was written (a migration
# keeps its own copy: the code's table may change later, what this step did may not).
STATES = {
    "bot": ("assistant", "open"),
    "waiting": ("queue", "open"),
    "assigned": ("person", "open"),
    "resolved": ("assistant", "resolved"),
    "closed": ("assistant", "closed"),
}


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.add_column(
            sa.Column("owner", sa.String(length=20), nullable=False, server_default="assistant")
        )
        batch_op.add_column(
            sa.Column("lifecycle", sa.String(length=20), nullable=False, server_default="open")
        )
    conversations = sa.table("conversations", sa.column("status"), sa.column("owner"), sa.column("lifecycle"))
    for status, (owner, lifecycle) in STATES.items():
        op.execute(
            conversations.update()
            .where(conversations.c.status == status)
            .values(owner=owner, lifecycle=lifecycle)
        )
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_index("ix_conversations_status_waiting")
        batch_op.drop_column("status")
        batch_op.alter_column("owner", server_default=None)
        batch_op.alter_column("lifecycle", server_default=None)
        batch_op.create_index(
            "ix_conversations_state_waiting", ["lifecycle", "owner", "waiting_since"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=False, server_default="bot"))
    conversations = sa.table("conversations", sa.column("status"), sa.column("owner"), sa.column("lifecycle"))
    for status, (owner, lifecycle) in STATES.items():
        op.execute(
            conversations.update()
            .where(conversations.c.owner == owner, conversations.c.lifecycle == lifecycle)
            .values(status=status)
        )
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_index("ix_conversations_state_waiting")
        batch_op.drop_column("owner")
        batch_op.drop_column("lifecycle")
        batch_op.alter_column("status", server_default=None)
        batch_op.create_index("ix_conversations_status_waiting", ["status", "waiting_since"], unique=False)
