"""The knowledge schema: knowledge points, emergency scripts, and bulletin operations.

A region scope is written the way the business writes it: ``全国`` (nationwide),
a province (``江西省``) or a province and city (``江西省南昌市``). Municipalities
repeat the name (``北京市北京市``) so that the city level is explicit.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NATIONWIDE = "全国"
MAX_BODY_CHARS = 20_000
KP_ID = re.compile(r"^KP-[A-Z0-9]{2,12}-\d{3,6}$")
SCRIPT_ID = re.compile(r"^ES-\d{8}-\d{3,4}$")
REGION = re.compile(r"^(全国|[\u4e00-\u9fff]{2,8}(省|市|自治区|特别行政区)([\u4e00-\u9fff]{2,10}(市|州|盟|地区))?)$")

Category = Literal[
    "业务介绍", "资费", "办理条件", "办理渠道", "生效规则", "退订规则", "常见问题", "故障处理", "投诉处理", "营销活动",
]
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
ScriptTopic = Literal[
    "outage", "billing_incident", "policy_change", "system_maintenance", "fraud_alert", "service_notice",
]


PROVINCES = frozenset({
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省",
    "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省",
    "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区",
    "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区",
})
"""The province-level divisions a scope starts with (a city alone, 南昌市, would be read as a province)."""


class RegionScope(BaseModel):
    """Where a knowledge point or script applies."""

    model_config = ConfigDict(frozen=True)

    level: Literal["nationwide", "province", "city"] = Field(description="Breadth of the scope")
    province: str | None = Field(default=None, description="Province, for province and city scopes")
    city: str | None = Field(default=None, description="City, for city scopes")

    @classmethod
    def parse(cls, text: str) -> RegionScope:
        """Parse ``全国`` / ``江西省`` / ``江西省南昌市``.

        Raises:
            ValueError: If the text is not a region scope.
        """
        text = (text or "").strip()
        if not REGION.fullmatch(text):
            raise ValueError(f"适用地区格式不正确: {text!r}（应为 全国、某省 或 某省某市，如 江西省、江西省南昌市）")
        if text == NATIONWIDE:
            return cls(level="nationwide")
        m = re.match(r"^(.+?(?:省|自治区|特别行政区|市))(.*)$", text)
        assert m is not None
        province, city = m.group(1), m.group(2) or None
        if province not in PROVINCES:
            raise ValueError(f"适用地区须以省级行政区开头: {text!r}（如 江西省南昌市；{province} "
                             "不是省、自治区或直辖市）")
        return cls(level="city" if city else "province", province=province, city=city)

    def covers(self, province: str | None, city: str | None) -> bool:
        """Whether a caller in (province, city) falls inside this scope."""
        if self.level == "nationwide":
            return True
        if self.province != province:
            return False
        return self.level == "province" or self.city == city


def region_keys(province: str | None, city: str | None) -> list[str]:
    """The scope strings that cover a caller: nationwide, the province, and the province+city."""
    keys = [NATIONWIDE]
    if province:
        keys.append(province)
        if city:
            keys.append(f"{province}{city}")
    return keys


def _check_region(value: str) -> str:
    RegionScope.parse(value)
    return value.strip()


class _Scoped(BaseModel):
    """What knowledge points and scripts share: a region scope and a whitespace-insensitive content hash."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("region", check_fields=False)
    @classmethod
    def _region(cls, value: str) -> str:
        return _check_region(value)

    @property
    def scope(self) -> RegionScope:
        """The parsed region scope."""
        return RegionScope.parse(self.region)  # type: ignore[attr-defined]

    def _hash(self, exclude: set[str], text_field: str) -> str:
        payload = self.model_dump(mode="json", exclude=exclude)
        payload[text_field] = re.sub(r"\s+", "", getattr(self, text_field))
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


class KnowledgePoint(_Scoped):
    """One business knowledge point, as agents read it."""

    id: str = Field(description="Stable id, e.g. KP-QQT-00128; the same id across versions")
    title: str = Field(min_length=2, max_length=120, description="Title")
    business: str = Field(min_length=2, max_length=60, description="Product or service, e.g. 全球通畅享套餐158元档")
    category: Category = Field(description="资费 / 办理条件 / 办理渠道 / 生效规则 / 退订规则 / 常见问题 / 故障处理 ...")
    body: str = Field(min_length=10, max_length=MAX_BODY_CHARS, description="The knowledge text")
    region: str = Field(description="全国 / 江西省 / 江西省南昌市")
    channels: list[str] = Field(default_factory=list, description="Where: 营业厅, 中国移动APP, 10086 ...")
    effective_from: date = Field(description="First day in force")
    effective_to: date | None = Field(default=None, description="Last day in force; None: open-ended")
    version: int = Field(default=1, ge=1, description="Version; a change bumps it")
    source: str = Field(min_length=2, description="Bulletin it came from")
    tags: list[str] = Field(default_factory=list, description="Keywords and jargon")
    variant_of: str | None = Field(
        default=None, description="A regional variant: the nationwide point it overrides for callers in its region"
    )

    @field_validator("id", "variant_of")
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        if value is not None and not KP_ID.fullmatch(value):
            raise ValueError(f"知识点编号格式不正确: {value!r}（例: KP-QQT-00128）")
        return value

    @model_validator(mode="after")
    def _window(self) -> KnowledgePoint:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"失效日期 {self.effective_to} 早于生效日期 {self.effective_from}")
        if self.variant_of is not None and (self.region == NATIONWIDE or self.variant_of == self.id):
            raise ValueError("只有省、市知识点可以覆盖另一条全国知识点 (variant_of)")
        return self

    def in_force(self, day: date) -> bool:
        """Whether the point applies on `day`."""
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def content_hash(self) -> str:
        """Hash of everything that is embedded or filtered on (not the version or source)."""
        return self._hash({"version", "source"}, "body")

    def search_text(self) -> str:
        """The text that is indexed."""
        return f"{self.title}\n{self.business} {self.category} {' '.join(self.tags)}\n{self.body}"


class EmergencyScript(_Scoped):
    """An emergency script (应急口径): the exact wording agents must read, for a region and a window."""

    id: str = Field(description="ES-YYYYMMDD-NNN")
    title: str = Field(min_length=2, max_length=120, description="Title")
    topic: ScriptTopic = Field(description="outage / billing_incident / policy_change / ...")
    region: str = Field(description="全国 / 江西省 / 江西省南昌市")
    district: str | None = Field(default=None, description="District, when narrower than the city")
    outage_id: str | None = Field(default=None, description="The outage notice it answers, if any")
    services: list[Literal["mobile_data", "voice", "broadband", "sms", "billing", "all"]] = Field(
        default_factory=list, description="Services it concerns"
    )
    keywords: list[str] = Field(default_factory=list, description="What callers say that it answers")
    wording: str = Field(min_length=10, max_length=2000, description="Exact wording to read")
    valid_from: datetime = Field(description="Valid from")
    valid_to: datetime = Field(description="Valid until")
    source: str = Field(min_length=2, description="Who published it")

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not SCRIPT_ID.fullmatch(value):
            raise ValueError(f"口径编号格式不正确: {value!r}（例: ES-20261123-001）")
        return value

    @model_validator(mode="after")
    def _window(self) -> EmergencyScript:
        if self.valid_to <= self.valid_from:
            raise ValueError(f"口径有效期结束 {self.valid_to} 不晚于开始 {self.valid_from}")
        return self

    def active(self, at: datetime) -> bool:
        """Whether the script is to be read at `at`."""
        return self.valid_from <= at <= self.valid_to

    def content_hash(self) -> str:
        """Hash of the script's content."""
        return self._hash({"source"}, "wording")

    def search_text(self) -> str:
        """The text that is indexed."""
        return f"{self.title}\n{' '.join(self.keywords)}\n{self.wording}"


class Retirement(BaseModel):
    """A bulletin's order to retire a knowledge point from a date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Knowledge point id")
    effective_to: date = Field(description="Last day in force")
    reason: str = Field(default="", description="Why")


class Bulletin(BaseModel):
    """A parsed business bulletin: what it adds or changes, retires, and publishes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bulletin_id: str = Field(min_length=2, description="Bulletin number, e.g. 赣移客〔2026〕118号")
    title: str = Field(min_length=2, description="Title")
    published: date = Field(description="Publication date")
    upserts: list[KnowledgePoint] = Field(default_factory=list, description="New or changed points")
    retirements: list[Retirement] = Field(default_factory=list, description="Points retired")
    scripts: list[EmergencyScript] = Field(default_factory=list, description="Scripts published")
