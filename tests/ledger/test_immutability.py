"""The database itself refuses to change posted vouchers, on SQLite and on PostgreSQL."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from ledger.triggers import DROP, drop_triggers, install_triggers, statements
from ledger.verify import verify


@pytest.fixture
def posted(world):
    """A committed, posted allocation voucher and one of its lines."""
    voucher = world.allocate("5000.00").voucher
    world.session.commit()
    return voucher.id, voucher.lines[0].id


def refused(world, sql: str, **params) -> None:
    with pytest.raises(IntegrityError, match="ledger: "):
        world.session.execute(text(sql), params)
    world.session.rollback()


@pytest.mark.parametrize("sql", [
    "UPDATE vouchers SET description = 'changed' WHERE id = :id",
    "UPDATE vouchers SET status = 'draft', number = NULL, hash = NULL, posted_by_id = NULL, "
    "posted_at = NULL WHERE id = :id",
    "DELETE FROM vouchers WHERE id = :id",
])
def test_posted_voucher_cannot_be_updated_or_deleted(world, posted, sql):
    refused(world, sql, id=posted[0])
    assert verify(world.session) == []


@pytest.mark.parametrize("sql", [
    "UPDATE voucher_lines SET debit = debit + 100 WHERE id = :id",
    "UPDATE voucher_lines SET memo = 'changed' WHERE id = :id",
    "DELETE FROM voucher_lines WHERE id = :id",
])
def test_posted_line_cannot_be_updated_or_deleted(world, posted, sql):
    refused(world, sql, id=posted[1])
    assert verify(world.session) == []


def test_no_line_can_be_added_to_a_posted_voucher(world, posted):
    refused(
        world,
        "INSERT INTO voucher_lines (voucher_id, position, account_id, debit, credit, "
        "organisation_id, memo) SELECT voucher_id, 99, account_id, debit, credit, "
        "organisation_id, memo FROM voucher_lines WHERE id = :id",
        id=posted[1],
    )


def test_a_voucher_cannot_be_inserted_as_posted(world, posted):
    refused(
        world,
        "INSERT INTO vouchers (book_id, voucher_date, period, description, idempotency_key, "
        "request_digest, status, number, hash, prepared_by_id, prepared_at, reviewed_by_id, "
        "reviewed_at, posted_by_id, posted_at) SELECT book_id, voucher_date, period, description, "
        "'other-key', request_digest, 'posted', 2, hash, prepared_by_id, prepared_at, "
        "reviewed_by_id, reviewed_at, posted_by_id, posted_at FROM vouchers WHERE id = :id",
        id=posted[0],
    )


def test_lines_of_a_reviewed_voucher_are_frozen(world):
    project = world.project()
    world.allocate("5000")
    voucher = world.spend(project, "100", post=False)
    from ledger.posting import review_voucher

    review_voucher(world.session, voucher, by=world.reviewer)
    world.session.commit()
    refused(world, "UPDATE voucher_lines SET debit = 1 WHERE voucher_id = :id AND debit > 0", id=voucher.id)
    refused(world, "UPDATE vouchers SET description = 'other' WHERE id = :id", id=voucher.id)


def test_posting_by_raw_update_must_take_the_next_number_and_link(world, posted):
    project = world.project()
    voucher = world.spend(project, "100", post=False)
    from ledger.posting import review_voucher

    review_voucher(world.session, voucher, by=world.reviewer)
    world.session.commit()
    for number, previous in ((5, "SELECT hash FROM vouchers WHERE id = :first"), (2, "'forged'")):
        refused(
            world,
            f"UPDATE vouchers SET status = 'posted', number = {number}, hash = 'x', "
            f"previous_hash = ({previous}), posted_by_id = reviewed_by_id, "
            "posted_at = reviewed_at WHERE id = :id",
            id=voucher.id, first=posted[0],
        )


def test_draft_lines_can_still_be_edited_and_drafts_discarded(world):
    from ledger.posting import discard_voucher

    project = world.project()
    voucher = world.spend(project, "100", post=False)
    world.session.commit()
    world.session.execute(text("UPDATE voucher_lines SET memo = 'fixed' WHERE voucher_id = :id"),
                          {"id": voucher.id})
    discard_voucher(world.session, voucher, by=world.clerk)
    world.session.commit()
    assert world.counts()[0] == 0


def test_a_migration_can_drop_and_reinstall_the_same_triggers(world, posted):
    connection = world.session.connection()
    drop_triggers(connection)
    install_triggers(connection)  # what an Alembic revision calls
    refused(world, "DELETE FROM vouchers WHERE id = :id", id=posted[0])
    for dialect in ("sqlite", "postgresql"):
        assert len(statements(dialect)) >= 4 and DROP[dialect]
