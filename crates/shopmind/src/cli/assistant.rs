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
    /// Weight of the softmax regression's probabilities in the ensemble
    /// (0: the SVM alone).
    #[arg(long, default_value_t = 0.5)]
    pub softmax_weight: f64,
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
    #[command(flatten)]
    pub llm: LlmArgs,
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
    /// Fits to time (the median fit time is reported; default 1, 3 under
    /// `bench assistant`).
    #[arg(long)]
    pub runs: Option<usize>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The optional language model that writes assistant answers.
#[derive(Debug, Args, Clone)]
pub struct LlmArgs {
    /// OpenAI-compatible endpoint (`http://127.0.0.1:11434/v1`): when set,
    /// it rewrites grounded answers from their sources only. Off by default.
    #[arg(long, env = "SHOPMIND_LLM_URL")]
    pub llm_url: Option<String>,
    /// Model name for that endpoint.
    #[arg(long, env = "SHOPMIND_LLM_MODEL", requires = "llm_url")]
    pub llm_model: Option<String>,
    /// Longest wait for the model before the template answer is used.
    #[arg(long, default_value_t = 5000)]
    pub llm_timeout_ms: u64,
}

impl LlmArgs {
    /// The checked configuration, if a URL is given.
    pub fn config(&self) -> anyhow::Result<Option<shopmind_service::llm::LlmConfig>> {
        let Some(url) = &self.llm_url else {
            return Ok(None);
        };
        if self.llm_timeout_ms == 0 {
            anyhow::bail!("--llm-timeout-ms must be positive");
        }
        Ok(Some(shopmind_service::llm::LlmConfig::new(
            url,
            self.llm_model.as_deref().unwrap_or(""),
            std::time::Duration::from_millis(self.llm_timeout_ms),
        )?))
    }
}
