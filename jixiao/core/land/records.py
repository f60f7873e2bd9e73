"""The land ledger's rows (parcels, disposals, the ledger of a survey year), their vocabularies
and the area units: 1 公顷 = 15 亩 = 10000 m², exact Decimal. Money is 万元."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

M2_PER_HA = Decimal(10000)
MU_PER_HA = Decimal(15)

LAND_SOURCES: tuple[str, ...] = ("出让", "划拨", "集体", "其他")
RIGHT_TYPES: tuple[str, ...] = ("国有", "集体")
CONSTRUCTION_STATUSES: tuple[str, ...] = ("未动工", "在建", "停建", "竣工", "投产")
PRODUCTION_STATUSES: tuple[str, ...] = ("", "正常", "半停产", "停产")
DELAY_CAUSES: tuple[str, ...] = ("", "企业原因", "政府原因", "不可抗力")
LAND_STATUSES: tuple[str, ...] = ("正常", "低效", "闲置")
DISPOSAL_STRATEGIES: tuple[str, ...] = (
    "收储", "二次开发", "转型升级", "协议置换", "协议收回", "合作改造", "腾退", "征缴闲置费", "无偿收回",
)
DISPOSAL_STATUSES: tuple[str, ...] = ("未启动", "洽谈中", "实施中", "已完成")
NOT_IMPLEMENTED_REASONS: tuple[str, ...] = ("", "未到计划时序", "企业原因", "政府原因")


# ---------------------------------------------------------------- area units

def m2_to_ha(m2: Decimal) -> Decimal:
    return m2 / M2_PER_HA


def m2_to_mu(m2: Decimal) -> Decimal:
    # 15 亩 per 10000 m² exactly; dividing by 666.67 would drift on a 190-parcel sum
    return m2 * MU_PER_HA / M2_PER_HA


def ha_to_m2(ha: Decimal) -> Decimal:
    return ha * M2_PER_HA


def mu_to_m2(mu: Decimal) -> Decimal:
    return mu * M2_PER_HA / MU_PER_HA


# ---------------------------------------------------------------- the ledger rows

@dataclass
class Parcel:
    """One surveyed parcel (宗地) in one survey year. Money in 万元, areas in m²."""

    parcel_id: str  # 宗地编号
    survey_year: int
    street: str  # 所在街道
    location: str  # 坐落
    site_area_m2: Decimal  # 用地面积
    owner: str  # 土地使用权人
    owner_uscc: str = ""
    actual_user: str = ""  # 现状土地使用人
    actual_user_uscc: str = ""
    title_cert_no: str = ""  # 不动产权证号
    land_source: str = "出让"
    right_type: str = "国有"
    contract_no: str = ""
    contract_date: date | None = None
    agreed_start_date: date | None = None  # 约定动工日期
    agreed_completion_date: date | None = None
    approved_use: str = ""  # 批准用途代码, e.g. M1
    current_use: str = ""  # 现状用途代码
    planned_use: str = ""  # 规划用途代码
    industry_code: str = ""  # GB/T 4754-2017
    floor_area_m2: Decimal = Decimal("0")  # 已建建筑面积
    footprint_m2: Decimal = Decimal("0")  # 基底面积（含构筑物、堆场）
    planned_floor_area_m2: Decimal | None = None  # 应开发建设总面积（不含绿地）
    contract_far: Decimal | None = None
    total_investment_agreed: Decimal | None = None  # 约定总投资，不含地价和税费
    invested_to_date: Decimal | None = None  # 已投资额，不含地价和税费
    construction_status: str = "投产"
    suspension_start_date: date | None = None  # 停建起始日期
    production_status: str = ""  # 正常 / 半停产 / 停产
    fixed_asset_investment: Decimal | None = None
    output: Decimal | None = None  # 当年产值
    output_prev: Decimal | None = None
    tax: Decimal | None = None  # 当年入库税金
    tax_prev: Decimal | None = None
    employment: int | None = None
    delay_cause: str = ""  # 未按期动工或停建的原因
    non_compliant: str = ""  # 不符合产业政策或安全环保要求的情况说明；空 = 符合
    status_override: str = ""  # 人工认定的利用状态
    override_reason: str = ""
    enterprises: list[str] = field(default_factory=list)  # 宗地上经营企业的统一社会信用代码
    geometry: dict | None = None  # GeoJSON geometry (CGCS2000 经纬度)
    note: str = ""
    origin: str = "录入"

    @property
    def site_area_ha(self) -> Decimal:
        return m2_to_ha(self.site_area_m2)

    @property
    def site_area_mu(self) -> Decimal:
        return m2_to_mu(self.site_area_m2)


@dataclass
class Disposal:
    """Disposal of one parcel (处置跟踪). ``area_m2`` is the area being disposed of."""

    parcel_id: str
    strategy: str  # one of DISPOSAL_STRATEGIES
    status: str = "未启动"  # one of DISPOSAL_STATUSES
    partner: str = ""  # e.g. 区属国企
    partner_is_soe: bool = False
    start_date: date | None = None
    finish_date: date | None = None
    area_m2: Decimal = Decimal("0")
    disposed_m2: Decimal = Decimal("0")
    not_implemented_reason: str = ""
    note: str = ""
    origin: str = "录入"

    @property
    def remaining_m2(self) -> Decimal:
        return self.area_m2 - self.disposed_m2


@dataclass
class Ledger:
    """One department's ledger for one survey year."""

    department: str
    year: int
    parcels: list[Parcel] = field(default_factory=list)
    disposals: list[Disposal] = field(default_factory=list)
    origin: str = "录入"
