//! Monthly attestation and the participant file: the person's own months
//! and confirmation, the hub's overview, paper certificates and
//! reminders, the funder's file with its archive, and the year of birth
//! and personal identity number behind it (full numbers for the ESF
//! reporter alone, every full read audited).

use chrono::NaiveDate;
use domain::access::Action;
use domain::attestation::{self as rules, esf_file, Method};
use domain::ids::{MunicipalityId, PersonId};
use navet_store::attestation::{
    self as store, HowSigned, MonthState, MunicipalityCount, PersonLine, PersonMonth, Version,
};
use navet_store::esf_export::{self, Export, ReportingDetails};
use navet_store::{StoreError, StoreResult};

use super::UseCase;

fn invalid(e: domain::FieldError) -> StoreError {
    StoreError::Invalid(domain::FieldErrors(vec![e]))
}

/// A month typed in a form or path (`2026-03`).
pub fn month(s: &str) -> StoreResult<NaiveDate> {
    rules::parse_month("month", s).map_err(invalid)
}

/// The hub's view of one month.
pub struct Overview {
    pub month: NaiveDate,
    pub state: MonthState,
    pub counts: Vec<MunicipalityCount>,
    pub people: Vec<PersonLine>,
    pub municipality: Option<i64>,
    pub can_register: bool,
    pub can_remind: bool,
    /// Months whose file must be made again after a correction.
    pub flagged: Vec<String>,
}

/// A participant file produced (or the archived one).
pub struct ProducedFile {
    pub export: Export,
    pub bytes: Vec<u8>,
}

impl UseCase<'_> {
    fn me(&self) -> StoreResult<i64> {
        self.person_id().ok_or_else(|| {
            StoreError::Forbidden(
                "Kontot hör inte till någon medarbetare, så det finns ingen närvarotid att bekräfta."
                    .into(),
            )
        })
    }

    /// The signed-in person's months with attended time.
    pub async fn my_attestation_months(&self, today: NaiveDate) -> StoreResult<Vec<PersonMonth>> {
        let me = self.me()?;
        self.decide(Action::AttestOwnTime { person_id: me })?;
        store::person_months(self.db(), PersonId(me), today).await
    }

    /// How the page's user signed in: through a municipality's provider
    /// (the login session says which) or with a password.
    pub async fn how_signed_in(&self, c: &crate::ctx::Ctx) -> StoreResult<HowSigned> {
        let Some(user) = &c.user else {
            return Err(StoreError::Forbidden("Logga in först.".into()));
        };
        let hash = navet_store::accounts::hash_secret(&user.session_secret);
        Ok(match store::session_provider(self.db(), &hash).await? {
            Some(p) => HowSigned {
                method: Method::Oidc,
                provider: Some(p),
            },
            None => HowSigned {
                method: Method::Password,
                provider: None,
            },
        })
    }

    /// Confirm the signed-in person's month as recorded now.
    pub async fn attest_own(
        &self,
        month_text: &str,
        today: NaiveDate,
        how: HowSigned,
    ) -> StoreResult<Version> {
        let me = self.me()?;
        self.decide(Action::AttestOwnTime { person_id: me })?;
        let m = month(month_text)?;
        store::attest(self.db(), &self.who, PersonId(me), m, today, &how).await
    }

    /// Per municipality who has confirmed the month, and the people (of
    /// one municipality, or all). The list names people: logged.
    pub async fn attestation_overview(
        &self,
        m: NaiveDate,
        municipality: Option<i64>,
    ) -> StoreResult<Overview> {
        self.decide(Action::ViewAttestations)?;
        let people = store::people(self.db(), m, municipality.map(MunicipalityId)).await?;
        self.audit(
            "attestation.view",
            "attestation_month",
            municipality,
            &format!("{} ({} personer)", rules::month_key(m), people.len()),
        )
        .await?;
        Ok(Overview {
            month: m,
            state: store::month_state(self.db(), m).await?,
            counts: store::overview(self.db(), m).await?,
            people,
            municipality,
            can_register: self.may(Action::RegisterPaperAttestation),
            can_remind: self.may(Action::SendAttestationReminders),
            flagged: store::flagged_months(self.db()).await?,
        })
    }

    /// Send the month's requests now (the daily job does it after each
    /// month; this is the hub's button, and a second press sends nothing).
    pub async fn open_attestation_month(
        &self,
        m: NaiveDate,
        today: NaiveDate,
    ) -> StoreResult<usize> {
        self.decide(Action::SendAttestationReminders)?;
        store::open_month(self.db(), &self.who, m, today, &self.s.config.public_url).await
    }

    /// A certificate signed on paper, registered as received.
    pub async fn register_paper_attestation(
        &self,
        m: NaiveDate,
        person_id: i64,
        today: NaiveDate,
    ) -> StoreResult<Version> {
        self.decide(Action::RegisterPaperAttestation)?;
        store::attest(
            self.db(),
            &self.who,
            PersonId(person_id),
            m,
            today,
            &HowSigned {
                method: Method::Paper,
                provider: None,
            },
        )
        .await
    }

    /// How many are waiting, and how many of them were reminded lately
    /// (the confirm step).
    pub async fn reminder_preview(
        &self,
        m: NaiveDate,
        municipality: Option<i64>,
    ) -> StoreResult<(i64, i64)> {
        self.decide(Action::SendAttestationReminders)?;
        store::waiting(self.db(), m, municipality.map(MunicipalityId)).await
    }

    /// Remind all who are waiting; how many were reminded.
    pub async fn remind_attestations(
        &self,
        m: NaiveDate,
        municipality: Option<i64>,
    ) -> StoreResult<usize> {
        self.decide(Action::SendAttestationReminders)?;
        store::remind(
            self.db(),
            &self.who,
            m,
            municipality.map(MunicipalityId),
            &self.s.config.public_url,
        )
        .await
    }

    /// The printable certificate's content for one person and month
    /// (name, municipality, sessions): a read of the person's data.
    pub async fn attestation_certificate(
        &self,
        m: NaiveDate,
        person_id: i64,
    ) -> StoreResult<(String, String, PersonMonth)> {
        self.decide(Action::ViewAttestations)?;
        let (name, muni) = store::person_heading(self.db(), PersonId(person_id))
            .await?
            .ok_or(StoreError::NotFound("person"))?;
        let pm = store::person_month(self.db(), PersonId(person_id), m).await?;
        if pm.centi_hours <= 0 {
            return Err(StoreError::invalid(
                "month",
                "no_attended_time",
                format!(
                    "Det finns ingen närvarotid för {} att intyga.",
                    rules::month_label_sv(m)
                ),
            ));
        }
        self.audit_person_read(person_id, "närvarointyg").await?;
        Ok((name, muni, pm))
    }

    /// Every version of a person's month (the history behind the file).
    pub async fn attestation_versions(
        &self,
        m: NaiveDate,
        person_id: i64,
    ) -> StoreResult<Vec<Version>> {
        self.decide(Action::ViewAttestations)?;
        self.audit_person_read(person_id, "närvarotidens versioner")
            .await?;
        store::versions(self.db(), PersonId(person_id), m).await
    }

    /// Produce, archive and return the participant file for a finished
    /// month (`csv` or `xlsx`). A future month is refused naming the field.
    pub async fn produce_participant_file(
        &self,
        m: NaiveDate,
        format: &str,
        today: NaiveDate,
        source: Option<i64>,
    ) -> StoreResult<ProducedFile> {
        self.decide(Action::ExportParticipantFile)?;
        produce_for(self.db(), &self.who, m, format, today, source).await
    }

    /// The archived files, newest first, and the months flagged for a
    /// new export after a correction.
    pub async fn participant_files(&self) -> StoreResult<(Vec<Export>, Vec<String>)> {
        self.decide(Action::ExportParticipantFile)?;
        Ok((
            esf_export::list(self.db(), 100).await?,
            store::flagged_months(self.db()).await?,
        ))
    }

    /// One archived file's bytes, as produced.
    pub async fn participant_file(&self, id: i64) -> StoreResult<ProducedFile> {
        self.decide(Action::ExportParticipantFile)?;
        let (export, bytes) = esf_export::content(self.db(), id).await?;
        Ok(ProducedFile { export, bytes })
    }

    /// A person's year of birth and number, masked (everyone allowed).
    pub async fn reporting_details(&self, person_id: i64) -> StoreResult<ReportingDetails> {
        self.decide(Action::EditReportingDetails)?;
        let mut d = esf_export::reporting_details(self.db(), PersonId(person_id)).await?;
        d.personal_number = d.masked();
        Ok(d)
    }

    /// The number in full: the ESF reporter only, and every read logged.
    pub async fn full_identity_number(&self, person_id: i64) -> StoreResult<Option<String>> {
        self.decide(Action::ReadFullIdentityNumber)?;
        let d = esf_export::reporting_details(self.db(), PersonId(person_id)).await?;
        navet_store::audit::record_read(
            self.db(),
            &self.who,
            PersonId(person_id),
            "personnummer (fullständigt)",
        )
        .await?;
        Ok(d.personal_number)
    }

    /// Save the year of birth and the number (checked; masked back). The
    /// number is kept, removed or replaced as `number` says.
    pub async fn set_reporting_details(
        &self,
        person_id: i64,
        birth_year: &str,
        number: NumberChange,
        this_year: i32,
    ) -> StoreResult<ReportingDetails> {
        self.decide(Action::EditReportingDetails)?;
        let typed = match number {
            NumberChange::Set(n) => n,
            NumberChange::Remove => String::new(),
            NumberChange::Keep => esf_export::reporting_details(self.db(), PersonId(person_id))
                .await?
                .personal_number
                .unwrap_or_default(),
        };
        let mut d = esf_export::set_reporting_details(
            self.db(),
            &self.who,
            PersonId(person_id),
            birth_year,
            &typed,
            this_year,
        )
        .await?;
        d.personal_number = d.masked();
        Ok(d)
    }

    /// The person behind a participant reference (`NAV-0000123`) and
    /// their number in full: the ESF reporter only, audited.
    pub async fn full_identity_number_of_ref(
        &self,
        participant_ref: &str,
    ) -> StoreResult<(i64, Option<String>)> {
        self.decide(Action::ReadFullIdentityNumber)?;
        let id = esf_file::person_of_ref(participant_ref).ok_or_else(|| {
            StoreError::invalid(
                "participant_ref",
                "bad_ref",
                "Ange deltagarreferensen som i deltagarfilen, till exempel NAV-0000123.",
            )
        })?;
        Ok((id, self.full_identity_number(id).await?))
    }
}

/// What a save does with the personal identity number.
pub enum NumberChange {
    Keep,
    Remove,
    Set(String),
}

/// Build and archive the file (also the command line's way, which acts
/// for no signed-in person).
pub async fn produce(
    db: &navet_store::Db,
    who: &navet_store::audit::Who,
    m: NaiveDate,
    format: &str,
    today: NaiveDate,
) -> StoreResult<ProducedFile> {
    produce_for(db, who, m, format, today, None).await
}

/// [`produce`] limited to the participations under one funding source
/// (None: all). The CSV's first line names the source's id; the archive
/// keeps it.
pub async fn produce_for(
    db: &navet_store::Db,
    who: &navet_store::audit::Who,
    m: NaiveDate,
    format: &str,
    today: NaiveDate,
    source: Option<i64>,
) -> StoreResult<ProducedFile> {
    rules::may_export(m, today).map_err(invalid)?;
    if let Some(id) = source {
        if navet_store::funding_sources::get(db, id).await.is_err() {
            return Err(StoreError::invalid(
                "program",
                "unknown_funding_source",
                "Finansieringskällan finns inte.",
            ));
        }
    }
    if format != "csv" && format != "xlsx" {
        return Err(StoreError::invalid(
            "format",
            "bad_format",
            "Välj format csv eller xlsx.",
        ));
    }
    let first = esf_export::first_month(db, m).await?;
    let participants = esf_export::participants_for(db, first, m, source).await?;
    let rows = esf_file::rows(&participants);
    let bytes = if format == "csv" {
        esf_file::to_csv_for(m, source, &rows)
    } else {
        crate::esf_file::to_xlsx(m, &rows).map_err(|e| StoreError::conflict(None, e.to_string()))?
    };
    let export =
        esf_export::archive_for(db, who, m, format, &bytes, rows.len() as i64, source).await?;
    Ok(ProducedFile { export, bytes })
}
