"""Every table of the application, imported once so the metadata is complete
(for Alembic, the schema test and ``create_all`` in benchmarks)."""

# Keyed bindings of donations and receipts, written on insert (mapper events).
import ledger.checkpoints.bindings  # noqa: E402, F401
from ledger.access.models import (  # noqa: F401
    ApiToken,
    AuditEvent,
    LoginAttempt,
    RecoveryCode,
    TwoFactorCredential,
    User,
    UserSession,
)
from ledger.api.models import IdempotentRequest  # noqa: F401
from ledger.books.holds import Approval, ApprovalHold, ApprovalThreshold  # noqa: F401
from ledger.books.models import (  # noqa: F401
    Account,
    AccountBalance,
    Currency,
    EntrySource,
    JournalEntry,
    LedgerHead,
    Posting,
    PostingCategory,
)
from ledger.checkpoints.models import (  # noqa: F401
    Checkpoint,
    CheckpointBalance,
    CheckpointSchedule,
    PublishedBalance,
    PublishedEntry,
    Release,
    ReleaseCell,
    ReleaseFund,
    ReleaseLine,
)
from ledger.commissary.models import (  # noqa: F401
    CommissaryLimit,
    CommissaryRun,
    CommissaryRunLine,
    CommissaryRunLog,
    CommissaryTopUp,
    CommissaryTransfer,
)
from ledger.funds.models import (  # noqa: F401
    BankDetails,
    Donation,
    Donor,
    DonorSettings,
    Facility,
    ImportMapping,
    ParcelAssignment,
    Pledge,
    PledgeAttempt,
    PledgeInstalment,
    PledgeStatusChange,
    Prisoner,
    PrisonerEvent,
)
from ledger.jobs.models import JobLease, JobRun  # noqa: F401
from ledger.letters.models import Letter, LetterService, letter_service_facilities  # noqa: F401
from ledger.mail.models import MailMessage  # noqa: F401
from ledger.payments.models import StripeEvent  # noqa: F401
from ledger.platform.database import Base  # noqa: F401
from ledger.reports.content_version import ContentVersion  # noqa: F401
from ledger.spending.models import (  # noqa: F401
    ApprovalReceipt,
    Parcel,
    ParcelItem,
    ParcelOutcome,
    ParcelRule,
    Receipt,
)
