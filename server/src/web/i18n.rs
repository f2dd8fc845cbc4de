//! English and Simplified Chinese: the language a page is written in (from `?lang=`, then
//! the `lang` cookie, then `Accept-Language`), and every fixed text of the pages in both.
//!
//! Texts are constants rather than a lookup by string key, so a missing translation is a
//! compile error, not a blank on a page.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

/// A page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese (zh-CN).
    Zh,
}

/// One fixed text in both languages.
pub struct Text {
    en: &'static str,
    zh: &'static str,
}

impl Lang {
    /// The `lang` attribute and cookie value.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Zh => "zh-CN",
        }
    }

    /// The other language, for the switch.
    pub fn other(self) -> Self {
        match self {
            Self::En => Self::Zh,
            Self::Zh => Self::En,
        }
    }

    /// The language's own name, as the switch shows it.
    pub fn name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Zh => "中文",
        }
    }

    /// `text` in this language.
    pub fn t(self, text: &Text) -> &'static str {
        match self {
            Self::En => text.en,
            Self::Zh => text.zh,
        }
    }

    /// A `?lang=` or cookie value; anything unknown is `None`.
    pub fn parse(value: &str) -> Option<Self> {
        let primary = value.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "zh" => Some(Self::Zh),
            _ => None,
        }
    }

    /// The best of English and Chinese for an `Accept-Language` value (English when
    /// neither is named).
    pub fn from_accept_language(value: &str) -> Self {
        let mut best = (Self::En, 0.0_f32);
        for item in value.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Self::parse) else {
                continue;
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > best.1 {
                best = (lang, q);
            }
        }
        best.0
    }
}

/// The language of a request and whether `?lang=` chose it (then the page sets the cookie).
#[derive(Debug, Clone, Copy)]
pub struct Chosen {
    /// The language.
    pub lang: Lang,
    /// Chosen by `?lang=` on this request.
    pub from_query: bool,
}

impl Chosen {
    /// From a request's query string and headers.
    pub fn from_request(query: Option<&str>, headers: &HeaderMap) -> Self {
        let asked = query.and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "lang")
                .and_then(|(_, v)| Lang::parse(&v))
        });
        if let Some(lang) = asked {
            return Self {
                lang,
                from_query: true,
            };
        }
        let cookie = super::session::cookie(headers, LANG_COOKIE).and_then(|v| Lang::parse(&v));
        let lang = cookie.unwrap_or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map_or(Lang::En, Lang::from_accept_language)
        });
        Self {
            lang,
            from_query: false,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Chosen {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_request(parts.uri.query(), &parts.headers))
    }
}

/// The cookie that keeps a language chosen with the switch.
pub const LANG_COOKIE: &str = "lang";

macro_rules! texts {
    ($($name:ident: $en:expr, $zh:expr;)*) => {
        $(
            #[allow(missing_docs)]
            pub const $name: Text = Text { en: $en, zh: $zh };
        )*
        /// Every text, for the completeness test.
        #[cfg(test)]
        pub const ALL: &[&Text] = &[$(&$name),*];
    };
}

texts! {
    SITE: "Product trace", "产品追溯";
    SWITCH_LABEL: "Language", "语言";
    SKIP: "Skip to content", "跳到正文";
    ENTER_TITLE: "Check a product", "查询产品";
    ENTER_HELP: "Type or paste the code on the pack: a QR-code link, a barcode number such as (01)…(21)…, an RFID tag code, or the 20-digit drug code.",
        "输入或粘贴包装上的码：二维码链接、条码号（如 (01)…(21)…）、RFID 标签码或 20 位药品追溯码。";
    CODE_LABEL: "Code", "追溯码";
    CHECK: "Check", "查询";
    BAD_CODE: "We could not read this code. Check it for typing mistakes and try again.",
        "无法识别此码，请检查是否输入有误后重试。";
    NOT_ONE_UNIT: "This code names a product type, not one pack. Enter the full code with its lot or serial number.",
        "此码只表示产品种类，不是具体某一件。请输入带批号或序列号的完整码。";
    UNKNOWN_CODE: "Nothing is recorded for this code yet. If you just bought it, ask the seller.",
        "此码暂无记录。如刚购买，请咨询销售方。";
    DETAIL: "Detail", "详情";
    PRODUCT: "Product", "产品";
    GTIN: "GTIN", "商品条码";
    DRUG_CODE: "Drug code", "药品追溯码";
    LOT: "Lot", "批号";
    SERIAL: "Serial", "序列号";
    EXPIRY: "Best before / expiry", "有效期至";
    PRODUCED: "Produced", "生产日期";
    COUNTRY: "Country of origin", "原产国";
    IDENTITY: "Identity", "标识";
    ORIGIN: "Origin", "来源";
    WHO: "Who", "责任方";
    WHERE: "Where", "地点";
    WHEN: "When", "时间";
    WHAT: "What", "环节";
    NO_ORIGIN: "No origin is recorded.", "没有来源记录。";
    JOURNEY: "Journey", "流通历程";
    IN_CONTAINER: "in", "随包装";
    SIGNED_BY: "signed by gateway", "签名网关";
    CAPTURED: "from a partner system, not gateway-signed", "来自合作方系统，无网关签名";
    RECALLED: "Recalled — do not use", "已召回 — 请勿使用";
    RECALL_WHY: "Reason", "原因";
    RECALL_WHAT: "What to do", "处理方法";
    RECALL_ISSUED: "Issued", "发布时间";
    NOT_RECALLED: "No recall names this unit.", "此产品不在任何召回范围内。";
    ALL_SIGNED: "Every step signed by a registered gateway", "每一步均由已登记的网关签名";
    PART_SIGNED: "Not every step is signed by a registered gateway", "并非每一步都由已登记的网关签名";
    STEPS_SIGNED: "steps signed", "步已签名";
    STEPS_CAPTURED: "from partner systems", "步来自合作方系统";
    PROOF: "Download the proof (JSON) to check it yourself", "下载证明文件（JSON）自行核验";
    BACK: "Check another code", "查询其他码";
    ERROR: "Something went wrong", "出错了";
    TRY_AGAIN: "The service is busy. Try again in a moment.", "服务繁忙，请稍后重试。";
    DESK: "Recall desk", "召回工作台";
    LOGIN: "Sign in", "登录";
    LOGOUT: "Sign out", "退出";
    TOKEN: "Access token", "访问令牌";
    BAD_TOKEN: "This token is not valid, or cannot use the desk (supervisor or admin needed).",
        "令牌无效，或无权使用工作台（需要监管员或管理员）。";
    EXPIRED: "Your form expired. Please try again.", "表单已过期，请重试。";
    SEARCH: "Search", "查找";
    TRACE: "Trace", "追溯";
    DIRECTION: "Direction", "方向";
    BACKWARD: "Backward (origin)", "向上追溯（来源）";
    FORWARD: "Forward (where it went)", "向下追踪（去向）";
    GRAPH: "Chain", "链路图";
    UNITS: "Units", "单品";
    CONTAINERS: "Containers", "包装";
    LOTS: "Lots", "批次";
    PLACES: "Places", "地点";
    NOTES: "Notes", "说明";
    EVENTS: "Events", "事件";
    RECALLS: "Recalls", "召回";
    NEW_RECALL: "Start a recall", "发起召回";
    CODES: "Codes (lots, units or containers, one per line)", "追溯码（批次、单品或包装，每行一个）";
    REASON: "Reason", "原因";
    INSTRUCTIONS: "Instructions for holders and consumers", "给持有者和消费者的处理说明";
    DEFAULT_INSTRUCTIONS: "Stop selling and using the affected units; keep them apart and contact the supplier.",
        "停止销售和使用受影响产品，单独存放并联系供应商。";
    ISSUE: "Issue the recall", "发布召回";
    NEED_CODE_AND_REASON: "A recall needs at least one code and a reason.", "召回至少需要一个追溯码和原因。";
    NO_RECALLS: "No recalls yet.", "暂无召回。";
    ISSUED_BY: "Issued by", "发布人";
    AFFECTED: "Affected units", "受影响单品";
    BY_CUSTODIAN: "By current custodian", "按当前持有方";
    BY_LOCATION: "By location", "按所在地点";
    COUNT: "Count", "数量";
    UNIT: "Unit", "单品";
    LOCATION: "Location", "地点";
    CUSTODIAN: "Custodian", "持有方";
    DISPOSITION: "Disposition", "状态";
    CONTAINER: "Container", "包装";
    LAST_SEEN: "Last seen", "最后记录";
    CSV: "Download CSV", "下载 CSV";
    SORT_HINT: "Select a column heading to sort.", "点击列标题排序。";
    UNKNOWN: "unknown", "未知";
    GATEWAYS: "Gateways", "网关";
    GATEWAY: "Gateway", "网关";
    PARTY: "Party", "运营方";
    CHAIN_HEAD: "Chain head", "链头序号";
    GAP: "Gap", "缺口";
    NO_GAP: "none", "无";
    ONLINE: "online", "在线";
    OFFLINE: "offline", "离线";
    NEVER: "never", "从未";
    QUARANTINED: "Quarantined events", "隔离事件";
    ENROLLED: "Enrolled", "登记时间";
    REVOKED: "Revoked", "已吊销";
    REVOKE: "Revoke", "吊销";
    ENROLL: "Enrol a gateway", "登记网关";
    GATEWAY_ID: "Gateway id", "网关 ID";
    PUBLIC_KEY: "Public key (64 hex digits)", "公钥（64 位十六进制）";
    SITE_URI: "Site (SGLN URI, optional)", "站点（SGLN URI，可选）";
    PARTY_URI: "Party (PGLN URI, optional)", "运营方（PGLN URI，可选）";
    DESCRIPTION: "Description", "描述";
    ADMIN_ONLY: "Enrolling and revoking needs an admin token.", "登记和吊销需要管理员令牌。";
    DONE: "Done.", "已完成。";
    NO_GATEWAYS: "No gateways enrolled.", "暂无已登记网关。";
    NOT_FOUND: "Not found", "未找到";
}

/// A CBV business step in words (the custom URI itself when not a CBV word).
pub fn step(lang: Lang, step: &str) -> String {
    let (en, zh) = match step {
        "commissioning" => ("Commissioned", "赋码投产"),
        "harvesting" => ("Harvested", "采收"),
        "packing" => ("Packed", "装箱"),
        "unpacking" => ("Unpacked", "拆箱"),
        "shipping" => ("Shipped", "发货"),
        "receiving" => ("Received", "收货"),
        "storing" => ("Stored", "入库"),
        "retail_selling" => ("Sold", "零售售出"),
        "dispensing" => ("Dispensed", "调剂发药"),
        "inspecting" => ("Inspected", "检验"),
        "installing" => ("Installed", "安装"),
        "repairing" => ("Repaired", "维修"),
        "decommissioning" => ("Decommissioned", "停用"),
        "destroying" => ("Destroyed", "销毁"),
        "loading" => ("Loaded", "装车"),
        "departing" => ("Departed", "出发"),
        "arriving" => ("Arrived", "到达"),
        "accepting" => ("Accepted", "验收"),
        "transforming" => ("Processed", "加工"),
        _ => return step.to_owned(),
    };
    match lang {
        Lang::En => en.to_owned(),
        Lang::Zh => zh.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("en-GB,zh;q=0.5"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("fr-FR,zh-TW;q=0.7,en;q=0.3"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("fr, de"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
    }

    #[test]
    fn the_query_beats_the_cookie_which_beats_the_header() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, "zh-CN".parse().unwrap());
        let by_header = Chosen::from_request(None, &headers);
        assert_eq!((by_header.lang, by_header.from_query), (Lang::Zh, false));
        headers.insert(header::COOKIE, "x=1; lang=en".parse().unwrap());
        assert_eq!(Chosen::from_request(Some("a=b"), &headers).lang, Lang::En);
        let by_query = Chosen::from_request(Some("lang=zh-CN"), &headers);
        assert_eq!((by_query.lang, by_query.from_query), (Lang::Zh, true));
        assert_eq!(
            Chosen::from_request(Some("lang=xx"), &headers).lang,
            Lang::En
        );
    }

    #[test]
    fn every_text_exists_in_both_languages() {
        for text in ALL {
            assert!(!text.en.is_empty() && !text.zh.is_empty(), "{}", text.en);
            assert_ne!(text.en, text.zh);
        }
        assert_eq!(step(Lang::Zh, "shipping"), "发货");
        assert_eq!(step(Lang::En, "urn:x:step"), "urn:x:step");
    }
}
