//! `/school/rollover`, "Year-end rollover": a "Next class" for each class,
//! a preview of every learner's move, "Apply rollover", and "Undo
//! rollover" for the last one. Owners and full admins.

use leptos::prelude::*;

use super::rollover_api::{apply_rollover, load_rollover_setup, preview_rollover, undo_rollover};
use super::{
    LastRollover, LearnerMove, NextClass, RolloverChoice, RolloverClass, RolloverPreview,
    PREVIEW_HEADING,
};
use crate::auth::permissions::Permission;
use crate::page_data::page_data;
use crate::session::SignedIn;
use crate::shell::allowed::Allowed;
use crate::shell::fields::focus_by_id;
use crate::shell::modal::DialogOutcome;
use crate::shell::scroll_box::ScrollBox;
use crate::shell::title::PageTitle;
use crate::words::counted;

#[component]
pub fn RolloverPage() -> impl IntoView {
    view! {
        <SignedIn>
            <section class="page">
                <PageTitle text="Year-end rollover" />
                <h1>"Year-end rollover"</h1>
                <Allowed permission=Permission::YearEndRollover for_whom="full admins and the school's owner">
                    <Rollover />
                </Allowed>
            </section>
        </SignedIn>
    }
}

/// One class's row: the select's value ("stays", "leavers", "new" or a
/// class id) and the new class's name.
#[derive(Clone, Copy)]
struct RowChoice {
    class_id: StoredValue<String>,
    value: RwSignal<String>,
    new_name: RwSignal<String>,
}

impl RowChoice {
    fn choice(&self) -> RolloverChoice {
        let next = match self.value.get_untracked().as_str() {
            "stays" => NextClass::Stays,
            "leavers" => NextClass::Leavers,
            "new" => NextClass::New(self.new_name.get_untracked()),
            id => NextClass::Existing(id.to_string()),
        };
        RolloverChoice {
            class_id: self.class_id.get_value(),
            next,
        }
    }
}

#[component]
fn Rollover() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let setup = page_data(move || version.get(), |_| load_rollover_setup());
    let notice = RwSignal::new(None::<String>);
    view! {
        <p class="lead">
            "At the end of the school year, choose where each class's learners go next. Classes left as "
            "“Stays as it is” do not change. Nothing changes until you apply the preview."
        </p>
        // Focused as it appears: the button that was pressed is gone.
        {move || notice.get().map(|text| view! { <DialogOutcome>{text}</DialogOutcome> })}
        <Transition fallback=|| view! { <p class="loading">"Loading classes…"</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Ok(setup) => view! {
                        {setup.last.map(|last| view! {
                            <LastRolloverPanel last notice reload=Callback::new(move |()| version.update(|v| *v += 1)) />
                        })}
                        <RolloverForm
                            classes=setup.classes
                            notice
                            reload=Callback::new(move |()| version.update(|v| *v += 1))
                        />
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn LastRolloverPanel(
    last: LastRollover,
    notice: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let id = StoredValue::new(last.id.clone());
    let undo = Action::new(move |()| async move {
        match undo_rollover(id.get_value()).await {
            Ok(()) => {
                notice.set(Some(
                    "The last rollover is undone: every learner is back in their class.".into(),
                ));
                reload.run(());
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    let undoing = undo.pending();
    let refused = last.undo_refused.clone();
    view! {
        <div class="panel">
            <h2>"Last rollover"</h2>
            <p>{format!("{} by {}: {} moved or inactivated.", last.when, last.by, counted(last.learners, "learner", "learners"))}</p>
            {refused.clone().map(|reason| view! { <p class="hint">{reason}</p> })}
            <button
                type="button"
                class="button secondary"
                disabled=refused.is_some()
                aria-disabled=move || undoing.get().to_string()
                aria-busy=move || undoing.get().to_string()
                on:click=move |_| {
                    if !undoing.get_untracked() {
                        undo.dispatch(());
                    }
                }
            >
                "Undo rollover"
            </button>
            {move || error.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
        </div>
    }
}

#[component]
fn RolloverForm(
    classes: Vec<RolloverClass>,
    notice: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let rows: Vec<RowChoice> = classes
        .iter()
        .map(|class| RowChoice {
            class_id: StoredValue::new(class.id.clone()),
            value: RwSignal::new("stays".to_string()),
            new_name: RwSignal::new(String::new()),
        })
        .collect();
    let rows = StoredValue::new(rows);
    let choices =
        move || rows.with_value(|rows| rows.iter().map(RowChoice::choice).collect::<Vec<_>>());
    let error = RwSignal::new(None::<String>);
    let previewed = RwSignal::new(None::<RolloverPreview>);
    let preview = Action::new(move |choices: &Vec<RolloverChoice>| {
        let choices = choices.clone();
        async move {
            match preview_rollover(choices).await {
                Ok(result) => {
                    previewed.set(Some(result));
                    // The preview appeared below the button: focus goes
                    // to it, so a keyboard or a screen reader is there.
                    request_animation_frame(|| focus_by_id(PREVIEW_HEADING));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    let apply = Action::new(move |(choices, basis): &(Vec<RolloverChoice>, String)| {
        let (choices, basis) = (choices.clone(), basis.clone());
        async move {
            match apply_rollover(choices, basis).await {
                Ok(done) => {
                    previewed.set(None);
                    notice.set(Some(format!(
                        "Rollover done: {} moved, {} inactivated.",
                        counted(done.learners_moving, "learner", "learners"),
                        done.leavers
                    )));
                    reload.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    });
    let (previewing, applying) = (preview.pending(), apply.pending());
    let options = StoredValue::new(
        classes
            .iter()
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect::<Vec<_>>(),
    );
    let table_rows = classes
        .into_iter()
        .zip(rows.get_value())
        .map(|(class, row)| {
            let this_id = class.id.clone();
            let new_name_id = format!("new-class-{}", class.id);
            let label = format!("Next class for {}", class.name);
            let new_label = format!("New class name for {}", class.name);
            view! {
                <tr>
                    <th scope="row">{class.name.clone()}</th>
                    <td>{class.learner_count}</td>
                    <td>
                        <select
                            aria-label=label
                            on:change=move |ev| {
                                previewed.set(None);
                                row.value.set(event_target_value(&ev));
                            }
                        >
                            <option value="stays" selected=true>"Stays as it is"</option>
                            {options.get_value().into_iter().filter(|(id, _)| *id != this_id).map(|(id, name)| view! {
                                <option value=id>{name}</option>
                            }).collect_view()}
                            <option value="new">"A new class…"</option>
                            <option value="leavers">"Leavers: inactivate learners"</option>
                        </select>
                        <Show when=move || row.value.get() == "new">
                            <input
                                id=new_name_id.clone()
                                type="text"
                                maxlength="80"
                                aria-label=new_label.clone()
                                placeholder="New class name"
                                prop:value=move || row.new_name.get()
                                on:input=move |ev| {
                                    previewed.set(None);
                                    row.new_name.set(event_target_value(&ev));
                                }
                            />
                        </Show>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="rollover">
            <thead>
                <tr><th scope="col">"Class"</th><th scope="col">"Learners"</th><th scope="col">"Next class"</th></tr>
            </thead>
            <tbody>{table_rows}</tbody>
        </table>
        {move || error.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
        <div class="dialog-row">
            <button
                type="button"
                class="button"
                aria-disabled=move || previewing.get().to_string()
                aria-busy=move || previewing.get().to_string()
                on:click=move |_| {
                    if previewing.get_untracked() {
                        return;
                    }
                    error.set(None);
                    previewed.set(None);
                    preview.dispatch(choices());
                }
            >
                "Preview rollover"
            </button>
        </div>
        {move || previewed.get().map(|result| {
            let basis = StoredValue::new(result.basis.clone());
            let by_class = moves_by_class(&result.moves);
            view! {
            <h2 id=PREVIEW_HEADING tabindex="-1">"Preview"</h2>
            <p>
                {format!(
                    "{} {}, {} inactivated as leavers{}.",
                    counted(result.learners_moving, "learner", "learners"),
                    if result.learners_moving == 1 { "moves" } else { "move" },
                    if result.leavers == 1 { "1 is".to_string() } else { format!("{} are", result.leavers) },
                    if result.new_classes.is_empty() { String::new() } else { format!("; new classes: {}", result.new_classes.join(", ")) }
                )}
            </p>
            // Above the moves, in view however many learners move.
            <div class="dialog-row">
                // Pressed once, applied once: a press while the request runs
                // does nothing (`aria-disabled`, so focus stays on the
                // button), and the server refuses a preview's second apply
                // anyway (its basis no longer matches).
                <button
                    type="button"
                    class="button primary"
                    aria-disabled=move || applying.get().to_string()
                    aria-busy=move || applying.get().to_string()
                    on:click=move |_| {
                        if applying.get_untracked() {
                            return;
                        }
                        error.set(None);
                        apply.dispatch((choices(), basis.get_value()));
                    }
                >
                    "Apply rollover"
                </button>
            </div>
            // Each class's move in one line, to check before the details
            // (below the button: a school of 150 classes has 150 lines).
            <h3 id="moves_by_class">"Moves by class"</h3>
            <ul class="rollover-summary" aria-labelledby="moves_by_class">
                {by_class.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
            </ul>
            <ScrollBox label="Moves of the rollover">
                <table class="rollover-preview">
                    <thead>
                        <tr><th scope="col">"Learner"</th><th scope="col">"Username"</th><th scope="col">"From"</th><th scope="col">"To"</th></tr>
                    </thead>
                    <tbody>
                        {result.moves.into_iter().map(|m| view! {
                            <tr><th scope="row">{m.learner}</th><td>{m.username}</td><td>{m.from}</td><td>{m.to}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </ScrollBox>
        }})}
    }
}

/// Each class's move, in the preview's order: "Year 1 → Year 2: 28
/// learners" (a learner in two classes counts in each).
fn moves_by_class(moves: &[LearnerMove]) -> Vec<String> {
    let mut groups: Vec<(&str, &str, usize)> = Vec::new();
    for step in moves {
        match groups
            .iter_mut()
            .find(|(from, to, _)| *from == step.from && *to == step.to)
        {
            Some(group) => group.2 += 1,
            None => groups.push((&step.from, &step.to, 1)),
        }
    }
    groups
        .into_iter()
        .map(|(from, to, learners)| {
            format!(
                "{from} → {to}: {}",
                counted(learners, "learner", "learners")
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(from: &str, to: &str) -> LearnerMove {
        LearnerMove {
            learner: "A Learner".into(),
            username: "a.learner".into(),
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn the_summary_counts_each_class_move_in_the_previews_order() {
        let moves = [
            step("Year 1", "Year 2"),
            step("Year 1", "Year 2"),
            step("Year 6", "Inactivated (leaver)"),
            step("Year 1", "Year 2"),
        ];
        assert_eq!(
            moves_by_class(&moves),
            [
                "Year 1 → Year 2: 3 learners",
                "Year 6 → Inactivated (leaver): 1 learner"
            ]
        );
        assert!(moves_by_class(&[]).is_empty());
    }
}
