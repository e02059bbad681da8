//! Changing where the group is: organisers move it one stage on (with a reason when the steps are
//! not all done) or back for renewal, and set the thresholds the guide measures against. Every
//! change is logged with who, when and the note.

use sqlx::PgPool;

use super::forms::StageMove;
use super::guide::{self, Criteria};
use super::queries::{self, NewTransition};
use crate::cans::access::{CanAccess, Organiser};
use crate::error::Result;

/// What a move came to.
pub enum Moved {
    Now,
    /// Someone moved the group a moment earlier: nothing changed here.
    Already,
}

/// Why a move was refused.
pub enum MoveRefusal {
    /// Moving on before every step is done needs a note saying why.
    NoteNeeded,
}

impl MoveRefusal {
    /// In words for the note field.
    pub fn message(&self) -> &'static str {
        match self {
            Self::NoteNeeded => {
                "Not every step is done yet. To move on anyway, say why in a note for the group."
            }
        }
    }
}

pub async fn move_stage(
    db: &PgPool,
    access: &CanAccess<Organiser>,
    mv: &StageMove,
) -> Result<Result<Moved, MoveRefusal>> {
    let can = &access.can;
    let viewer = super::attention::Viewer::of(&access.membership);
    let met = guide::ready(&guide::next_steps(db, can, viewer).await?);
    let forward = mv.is_forward();
    if forward && !met && mv.note.is_empty() {
        return Ok(Err(MoveRefusal::NoteNeeded));
    }
    let mut tx = db.begin().await?;
    if !queries::set_stage(&mut tx, can.id, mv.from, mv.to).await? {
        return Ok(Ok(Moved::Already));
    }
    let transition = NewTransition {
        from: mv.from,
        to: mv.to,
        moved_by: access.me.id,
        note: &mv.note,
        criteria_met: met || !forward,
    };
    queries::insert_transition(&mut tx, can.id, &transition).await?;
    let summary = format!(
        "{} moved the group from {} to {}",
        access.me.display_name,
        mv.from.label(),
        mv.to.label()
    );
    access
        .log(&mut tx, "stage.moved", ("can", can.id), summary)
        .await?;
    tx.commit().await?;
    Ok(Ok(Moved::Now))
}

/// Saves the group's thresholds; everyone sees them with every step.
pub async fn set_criteria(
    db: &PgPool,
    access: &CanAccess<Organiser>,
    criteria: &Criteria,
) -> Result<()> {
    let can = &access.can;
    let mut tx = db.begin().await?;
    queries::set_criteria(&mut *tx, can.id, criteria).await?;
    let summary = format!(
        "{} changed the stage guide's thresholds",
        access.me.display_name
    );
    access
        .log(&mut tx, "stage.criteria_changed", ("can", can.id), summary)
        .await?;
    tx.commit().await?;
    Ok(())
}
