"""The runbook's incident levels (レベル1/2/3), as data.

Symptoms, response times, owners and escalation rules are the runbook's
("緊急事態の分類", "エスカレーション基準"). Where the runbook disagrees with
itself (level 2 escalates "1時間で未解決時" in its level table but after 4 hours
in its escalation table) the stricter rule is kept and the other one named.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Level(IntEnum):
    CRITICAL = 1  # レベル1: 重大（システム停止）
    HIGH = 2  # レベル2: 高（機能障害）
    MEDIUM = 3  # レベル3: 中（部分的問題）


class Symptom(StrEnum):
    """One symptom line of the runbook's classification."""

    APP_DOWN = "app_down"
    DB_CORRUPT = "db_corrupt"
    AUTH_FAILED = "auth_failed"
    DATA_LOSS = "data_loss"
    FEATURE_DOWN = "feature_down"
    SLOWDOWN = "slowdown"
    RATE_LIMIT_STOP = "rate_limit_stop"
    SECURITY = "security"
    PARTIAL = "partial"
    MINOR_INCONSISTENCY = "minor_inconsistency"
    NON_CRITICAL = "non_critical"
    MINOR_SLOWDOWN = "minor_slowdown"


# symptom -> (level, Japanese as in the runbook, English)
SYMPTOMS: dict[Symptom, tuple[Level, str, str]] = {
    Symptom.APP_DOWN: (Level.CRITICAL, "アプリケーション完全停止", "application completely down"),
    Symptom.DB_CORRUPT: (Level.CRITICAL, "データベース破損", "database corrupted"),
    Symptom.AUTH_FAILED: (Level.CRITICAL, "認証完全失敗", "authentication failing completely"),
    Symptom.DATA_LOSS: (Level.CRITICAL, "大量データ消失", "large data loss"),
    Symptom.FEATURE_DOWN: (Level.HIGH, "特定機能の完全停止", "a feature completely down"),
    Symptom.SLOWDOWN: (Level.HIGH, "パフォーマンス大幅劣化", "heavy performance degradation"),
    Symptom.RATE_LIMIT_STOP: (
        Level.HIGH,
        "API制限違反による長期停止",
        "long stop caused by API rate limits",
    ),
    Symptom.SECURITY: (Level.HIGH, "セキュリティ脆弱性発見", "security weakness found"),
    Symptom.PARTIAL: (Level.MEDIUM, "一部ユーザーへの影響", "some targets affected"),
    Symptom.MINOR_INCONSISTENCY: (Level.MEDIUM, "軽微なデータ不整合", "minor data inconsistency"),
    Symptom.NON_CRITICAL: (Level.MEDIUM, "非重要機能の障害", "non-critical function failing"),
    Symptom.MINOR_SLOWDOWN: (
        Level.MEDIUM,
        "パフォーマンス軽微劣化",
        "minor performance degradation",
    ),
}


@dataclass(frozen=True, slots=True)
class LevelInfo:
    level: Level
    title_ja: str
    title_en: str
    response_ja: str
    response_en: str
    owner_ja: str
    owner_en: str
    escalation_ja: str
    escalation_en: str


LEVELS: dict[Level, LevelInfo] = {
    Level.CRITICAL: LevelInfo(
        Level.CRITICAL,
        "レベル1: 重大（システム停止）",
        "Level 1: critical (system down)",
        "即座（5分以内）",
        "immediately (within 5 minutes)",
        "開発チーム全員",
        "the whole development team",
        "必要（1時間で未解決ならシニア開発者・PM・システム管理者へ）",
        "required; escalate to the senior developer, PM and sysadmin if unresolved after 1 hour",
    ),
    Level.HIGH: LevelInfo(
        Level.HIGH,
        "レベル2: 高（機能障害）",
        "Level 2: high (function failure)",
        "30分以内",
        "within 30 minutes",
        "担当開発者",
        "the developer in charge",
        "1時間で未解決時（ランブックのエスカレーション基準表は4時間。厳しい方を採用）",
        "if unresolved after 1 hour (the runbook's escalation table says 4 hours; "
        "the stricter rule is used)",
    ),
    Level.MEDIUM: LevelInfo(
        Level.MEDIUM,
        "レベル3: 中（部分的問題）",
        "Level 3: medium (partial problem)",
        "2時間以内",
        "within 2 hours",
        "担当開発者",
        "the developer in charge",
        "1営業日で未解決時",
        "if unresolved after 1 business day",
    ),
}

IMMEDIATE_ESCALATION_JA = ("データ消失発生", "セキュリティ侵害疑い", "復旧方法不明")
IMMEDIATE_ESCALATION_EN = ("data loss", "suspected security breach", "recovery path unknown")
IMMEDIATE_SYMPTOMS = frozenset({Symptom.DATA_LOSS, Symptom.SECURITY})


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found by ``diagnose``: its symptom, a one-line detail and the commands to run."""

    symptom: Symptom
    detail: str
    steps: tuple[str, ...] = ()

    @property
    def level(self) -> Level:
        return SYMPTOMS[self.symptom][0]

    def symptom_text(self, lang: str = "en") -> str:
        _, ja, en = SYMPTOMS[self.symptom]
        return ja if lang == "ja" else en


def overall_level(findings: list[Finding]) -> Level | None:
    """The most severe level among the findings (None: nothing wrong)."""
    return min((finding.level for finding in findings), default=None)


def next_steps(findings: list[Finding], level: Level | None) -> list[str]:
    """The findings' commands, most severe first, without repeats, ending with the report."""
    steps: list[str] = []
    for finding in sorted(findings, key=lambda item: item.level):
        for step in finding.steps:
            if step not in steps:
                steps.append(step)
    if level is not None:
        steps.append(f"twitter-blocker incident new --level {int(level)}")
    return steps


def needs_immediate_escalation(findings: list[Finding]) -> bool:
    return any(finding.symptom in IMMEDIATE_SYMPTOMS for finding in findings)
