//! Realistic, seeded Chinese field-sales data: people, companies, phone numbers, purposes.
//! The same seed gives the same day, so the demo and its test are reproducible.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
    "秀英", "华", "丽", "建国", "志强", "海燕", "晓东", "婷",
];
const CITIES: &[&str] = &[
    "上海", "苏州", "杭州", "南京", "宁波", "无锡", "合肥", "常州",
];
const TRADES: &[(&str, &str)] = &[
    ("精密机械", "制造业"),
    ("智能装备", "制造业"),
    ("医疗器械", "医疗"),
    ("新材料", "化工"),
    ("电子科技", "电子"),
    ("物流", "物流"),
    ("食品", "快消"),
    ("建设工程", "建筑"),
];
const TITLES: &[&str] = &[
    "采购经理",
    "总经理",
    "设备主管",
    "技术总监",
    "财务经理",
    "办公室主任",
];
const PURPOSES: &[&str] = &[
    "季度回访，了解备件需求",
    "新产品介绍与报价",
    "售后满意度回访",
    "年度合同续签洽谈",
    "安装调试确认",
    "了解扩产计划",
];
const DECLINE_REASONS: &[&str] = &["本周出差，无法接待", "预算尚未批复", "已有合作供应商"];
const SHOWS: &[&str] = &["2026上海国际工业博览会", "长三角智能制造展"];
const MOBILE_PREFIXES: &[&str] = &["138", "139", "137", "150", "151", "186", "188", "135"];

/// A seeded source of demo data.
#[derive(Debug)]
pub struct DemoData {
    rng: ChaCha8Rng,
}

/// A generated company with its main contact.
#[derive(Debug, Clone)]
pub struct CompanyProfile {
    pub company: String,
    pub city: String,
    pub industry: String,
    pub contact: String,
    pub title: String,
    pub mobile: String,
}

impl DemoData {
    pub fn new(seed: u64) -> Self {
        DemoData {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        *items.choose(&mut self.rng).unwrap_or(&items[0])
    }

    pub fn person(&mut self) -> String {
        format!("{}{}", self.pick(SURNAMES), self.pick(GIVEN))
    }

    /// A mainland mobile number, written the way reps type them (sometimes with spaces).
    pub fn mobile(&mut self) -> String {
        let prefix = self.pick(MOBILE_PREFIXES);
        let rest: u32 = self.rng.random_range(0..100_000_000);
        match self.rng.random_range(0..3) {
            0 => format!("{prefix}{rest:08}"),
            1 => format!("{prefix} {:04} {:04}", rest / 10_000, rest % 10_000),
            _ => format!("+86 {prefix}-{:04}-{:04}", rest / 10_000, rest % 10_000),
        }
    }

    pub fn company(&mut self) -> CompanyProfile {
        let city = self.pick(CITIES);
        let (trade, industry) = self.pick(TRADES);
        let brand = format!(
            "{}{}",
            self.pick(SURNAMES),
            self.pick(&["达", "信", "恒", "盛", "源", "泰"])
        );
        CompanyProfile {
            company: format!("{city}{brand}{trade}有限公司"),
            city: city.to_owned(),
            industry: industry.to_owned(),
            contact: self.person(),
            title: self.pick(TITLES).to_owned(),
            mobile: self.mobile(),
        }
    }

    pub fn purpose(&mut self) -> &'static str {
        self.pick(PURPOSES)
    }

    pub fn decline_reason(&mut self) -> &'static str {
        self.pick(DECLINE_REASONS)
    }

    pub fn trade_show(&mut self) -> &'static str {
        self.pick(SHOWS)
    }

    /// The generator itself, for shuffles.
    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }

    /// A number in `0..n`, for shuffles and choices made by the day's script.
    pub fn below(&mut self, n: usize) -> usize {
        self.rng.random_range(0..n.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_data() {
        let (mut a, mut b) = (DemoData::new(7), DemoData::new(7));
        for _ in 0..20 {
            assert_eq!(a.company().company, b.company().company);
            assert_eq!(a.mobile(), b.mobile());
        }
    }

    #[test]
    fn mobiles_have_eleven_digits() {
        let mut d = DemoData::new(1);
        for _ in 0..50 {
            let digits: String = d.mobile().chars().filter(char::is_ascii_digit).collect();
            let national = digits
                .strip_prefix("86")
                .filter(|s| s.len() == 11)
                .unwrap_or(&digits);
            assert_eq!(national.len(), 11, "{digits}");
        }
    }
}
