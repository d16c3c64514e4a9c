//! Demo cost lines, settings and scenarios from the 2025 annual report.
use crate::audit::Who;
use crate::costs::{
    create_line, create_scenario, default_settings, indicator_f64, model, save_settings,
    INDICATORS_JSON,
};
use crate::db::Db;
use crate::error::StoreResult;
use domain::costs::{
    Basis, CostKind, CostLine, Driver, Scaling, Scenario, ScenarioMunicipality, Weights,
};

/// The 2025 cost lines from the annual report, the default settings and
/// three example scenarios (all 12; the 6 biggest users; Örebro alone).
/// Does nothing if there already are cost lines or scenarios.
pub async fn load(db: &Db) -> StoreResult<()> {
    let existing: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM cost_lines) + (SELECT COUNT(*) FROM cost_scenarios)",
    )
    .fetch_one(db.pool())
    .await?;
    if existing > 0 {
        return Ok(());
    }
    let who = Who::system("demo");
    let kr = |id: &str| (indicator_f64(id) * 100.0).round() as i64;
    let src = "Utfall 2025 enligt årsrapporten (ÅR2025, Ekonomi).";
    let annual =
        |label: &str, kind: CostKind, amount: i64, scaling: Scaling, note: &str| CostLine {
            id: 0,
            label: label.into(),
            kind,
            basis: Basis::Annual { amount },
            scaling,
            note: note.into(),
        };
    let hours_2025 = indicator_f64("cofinancing_course_hours_target")
        * indicator_f64("cofinancing_achieved_pct")
        / 100.0;
    let lines = vec![
        annual("Projektpersonal", CostKind::Staff, kr("cost_project_staff_sek"), Scaling::Fixed, src),
        annual(
            "Bilar",
            CostKind::Cars,
            kr("cost_cars_sek"),
            Scaling::PerVolume {
                driver: Driver::CourseHours,
                per_centi: (hours_2025 * 100.0).round() as i64,
            },
            &format!(
                "{src} Antas följa volymen: beloppet gäller för 2025 års ungefär {} deltagartimmar (22 % av 42 000, härlett).",
                domain::costs::money::number(hours_2025, 0)
            ),
        ),
        CostLine {
            id: 0,
            label: "Utrustning".into(),
            kind: CostKind::Equipment,
            basis: Basis::Depreciation {
                purchase: kr("cost_equipment_sek"),
                years: 5,
            },
            scaling: Scaling::Fixed,
            note: format!("{src} Inköpen 2025 skrivs av på 5 år (antagande)."),
        },
        annual("Konferens", CostKind::Conferences, kr("cost_conference_sek"), Scaling::Fixed, src),
        annual("Utbildning av utbildningsledare", CostKind::TrainerTraining, kr("cost_training_sek"), Scaling::Fixed, src),
        annual("Lokalkostnader", CostKind::Premises, kr("cost_premises_sek"), Scaling::Fixed, src),
    ];
    for l in &lines {
        create_line(db, &who, l).await?;
    }
    save_settings(db, &who, &default_settings()).await?;

    // Expected volume: the recorded use if there is any; otherwise each
    // municipality's 2025 hours derived from the report's co-financing.
    let today = crate::time::today();
    let m = model(db, today).await?;
    let recorded = m.actuals.attended_hours_total() > 0.0;
    let target = indicator_f64("cofinancing_course_hours_target");
    let participants_2025 = indicator_f64("unique_participants_total");
    let emp_total: i64 = m
        .actuals
        .municipalities
        .iter()
        .filter_map(|f| f.employees)
        .sum();
    let report_pct = |name: &str| -> f64 {
        let v: serde_json::Value = serde_json::from_str(INDICATORS_JSON).unwrap_or_default();
        v["indicators"]
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|i| {
                        i["category"] == "medfinansiering per kommun" && i["municipality"] == name
                    })
                    .and_then(|i| i["value"].as_f64())
            })
            .unwrap_or(0.0)
    };
    let derived: Vec<(i64, String, f64)> = m
        .actuals
        .municipalities
        .iter()
        .map(|f| {
            let share = if emp_total > 0 {
                f.employees.unwrap_or(0) as f64 / emp_total as f64
            } else {
                0.0
            };
            (
                f.id,
                f.name.clone(),
                report_pct(&f.name) / 100.0 * target * share,
            )
        })
        .collect();
    let derived_total: f64 = derived.iter().map(|d| d.2).sum();
    let use_of = |id: i64| -> f64 {
        if recorded {
            m.actuals.facts(id).map(|f| f.attended_hours).unwrap_or(0.0)
        } else {
            derived
                .iter()
                .find(|d| d.0 == id)
                .map(|d| d.2)
                .unwrap_or(0.0)
        }
    };
    let member = |id: i64| ScenarioMunicipality {
        municipality_id: id,
        course_hours_centi: (!recorded).then(|| (use_of(id) * 100.0).round() as i64),
        participants: (!recorded && derived_total > 0.0)
            .then(|| (participants_2025 * use_of(id) / derived_total).round() as i64),
    };
    let volume_note = if recorded {
        "Förväntad volym: hittillsvarande närvaro per kommun, omräknad till helår.".to_string()
    } else {
        "Förväntad volym: varje kommuns deltagartimmar 2025, härledda ur årsrapportens uppnådda medfinansiering \
         (andel av åtagandet × 42 000 deltagartimmar × kommunens andel av de anställda), och 1 834 unika deltagare \
         fördelade i samma proportion. Anställningstalen i demon är syntetiska."
            .to_string()
    };
    let mut by_use: Vec<i64> = m.actuals.municipalities.iter().map(|f| f.id).collect();
    by_use.sort_by(|a, b| use_of(*b).total_cmp(&use_of(*a)));
    let mut six: Vec<i64> = by_use.iter().take(6).copied().collect();
    six.sort();
    let six_names: Vec<String> = m
        .actuals
        .municipalities
        .iter()
        .filter(|f| six.contains(&f.id))
        .map(|f| f.name.clone())
        .collect();
    let orebro = m
        .actuals
        .municipalities
        .iter()
        .find(|f| f.name == "Örebro")
        .map(|f| f.id);
    let half = Weights {
        employees_bp: 5000,
        use_bp: 5000,
        ..Default::default()
    };
    let mut demo = vec![
        Scenario {
            id: 0,
            name: "Alla 12 kommuner".into(),
            description: format!(
                "Alla tolv kommuner fortsätter samarbetet. Hälften av kostnaden fördelas efter antal anställda (grundavgift), hälften efter användning. {volume_note}"
            ),
            municipalities: m.actuals.municipalities.iter().map(|f| member(f.id)).collect(),
            weights: half,
            volume_bp: 10_000,
        },
        Scenario {
            id: 0,
            name: "De 6 största användarna".into(),
            description: format!(
                "Bara de sex kommuner som hittills använt navet mest fortsätter: {}. Samma fördelningsnyckel som för alla tolv. {volume_note}",
                domain::costs::scenario::join_sv(&six_names)
            ),
            municipalities: six.iter().map(|id| member(*id)).collect(),
            weights: half,
            volume_bp: 10_000,
        },
    ];
    if let Some(o) = orebro {
        demo.push(Scenario {
            id: 0,
            name: "Örebro ensam".into(),
            description: format!("Örebro kommun driver navet vidare på egen hand och bär hela kostnaden. {volume_note}"),
            municipalities: vec![member(o)],
            weights: Weights {
                employees_bp: 10_000,
                ..Default::default()
            },
            volume_bp: 10_000,
        });
    }
    for s in &demo {
        create_scenario(db, &who, s).await?;
    }
    Ok(())
}
