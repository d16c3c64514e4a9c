//! The notice outbox for administrators and coordinators: every notice
//! written and whether it was delivered. Recipients' addresses and the
//! texts are personal data, so every read is logged; one-time link keys
//! are masked in what staff see (the recipient's copy keeps them).

use domain::access::Action;
use domain::paging::Window;
use navet_store::audit;
use navet_store::outbox::{self, Filter, Message};
use navet_store::StoreResult;

use super::UseCase;

/// A notice as staff may see it: one-time link keys masked.
fn masked(mut m: Message) -> Message {
    m.subject = domain::notices::mask_link_tokens(&m.subject);
    m.body = domain::notices::mask_link_tokens(&m.body);
    m.ics = m.ics.as_deref().map(domain::notices::mask_link_tokens);
    m
}

impl UseCase<'_> {
    /// One page of the outbox, masked, with the number of matches; the
    /// recipients shown are logged as read.
    pub async fn outbox_list(&self, filter: &Filter) -> StoreResult<(Window<Message>, i64)> {
        self.decide(Action::ViewOutbox)?;
        let (mut messages, total) = outbox::list(self.db(), filter).await?;
        let ids: Vec<i64> = messages
            .rows
            .iter()
            .filter_map(|m| m.to_person_id)
            .collect();
        audit::record_list_read(self.db(), &self.who, "outbox", "utkorgen", &ids).await?;
        messages.rows = messages.rows.into_iter().map(masked).collect();
        Ok((messages, total))
    }

    /// One notice, masked; opening it (`what`: the text or its calendar
    /// invitation) is logged as a read of the recipient's data.
    pub async fn outbox_message(&self, id: i64, what: &str) -> StoreResult<Message> {
        self.decide(Action::ViewOutbox)?;
        let m = outbox::get(self.db(), id).await?;
        audit::record_alone(
            self.db(),
            &self.who,
            "outbox.read",
            "outbox",
            Some(m.id),
            m.to_person_id,
            what,
        )
        .await?;
        Ok(masked(m))
    }
}
