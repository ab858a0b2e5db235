//! Arguments of `shopmind assistant` and `shopmind eval assistant`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct AssistantArgs {
    #[command(subcommand)]
    pub what: AssistantCommand,
}

#[derive(Debug, Subcommand)]
pub enum AssistantCommand {
    /// Train an assistant from an intents CSV (text,intent or BANKING77's
    /// text,category) and optionally a FAQ CSV, into a model directory.
    Train(AssistantTrainArgs),
    /// Classify the `text` column of a CSV: writes text,intent,confidence.
    Classify(AssistantClassifyArgs),
    /// Chat in the terminal with the store's active assistant (or --model).
    Chat(AssistantChatArgs),
}

/// Intent-model settings shared by `assistant train` and `eval assistant`.
#[derive(Debug, Args)]
pub struct IntentOptions {
    /// SVM cost C (larger: less regularisation).
    #[arg(long, default_value_t = 0.5)]
    pub c: f64,
    /// Share of each intent held out to calibrate confidences and choose
    /// the out-of-scope threshold (0 disables both).
    #[arg(long, default_value_t = 0.1)]
    pub validation: f64,
    /// Seed of the validation split and the solver's visiting order.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct AssistantTrainArgs {
    /// Intent examples.
    #[arg(long)]
    pub intents: PathBuf,
    /// FAQ (question,answer[,intent]).
    #[arg(long)]
    pub faq: Option<PathBuf>,
    /// Model directory to write (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub options: IntentOptions,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AssistantClassifyArgs {
    /// Model directory written by `assistant train`.
    #[arg(long)]
    pub model: PathBuf,
    /// CSV with a `text` column.
    #[arg(long = "in")]
    pub input: PathBuf,
    /// Output CSV.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct AssistantChatArgs {
    /// Use this model directory instead of the store's active assistant.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Session id (turns share context).
    #[arg(long, default_value = "terminal")]
    pub session: String,
    /// Chat as this user (personal recommendations, own orders only).
    #[arg(long)]
    pub user: Option<String>,
}

#[derive(Debug, Args)]
pub struct EvalAssistantArgs {
    /// Training intents CSV.
    #[arg(long)]
    pub train: PathBuf,
    /// Test intents CSV (label `oos` marks out-of-scope messages).
    #[arg(long)]
    pub test: PathBuf,
    #[command(flatten)]
    pub options: IntentOptions,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}
