// The window's one state object: every key it ever holds, with its initial
// value. Modules read and write these keys and add none. (Timers and the
// like that belong to one module's own working stay in that module.)

export const state = {
  // "zh" | "en": the window's language, kept across runs; the Rust session
  // is told with set_lang at start-up and on every switch.
  lang: localStorage.getItem("butie.lang") || "zh",
  // The data year shown, kept across runs.
  year: Number(localStorage.getItem("butie.year")) || 2025,
  // Everything static from Rust (cities, facts, statuses, packs, workspace), per language.
  meta: null,
  // The company open, by id (null: none, or a new one being entered), and its view.
  companyId: null,
  company: null,
  // "profile" | "interview" | "results" | "materials" | "claims" | "history" | "overview" | "packs".
  view: "profile",
  // The open company-year's evaluation (EvaluationView) and its packs' terms (CoverageView[]).
  result: null,
  coverage: [],
  // The clause whose working is open under the results table.
  openDetail: null,
  // The last "Generate PDFs" for the open company: { dir, files } | { cancelled } | { error }.
  lastPdf: null,
  // The company form has edits not saved yet.
  formDirty: false,
  // The overview: its rows for the year in Rust's order, the order asked
  // for (UI state; Rust sorts), and the rows listed after the filter.
  overview: [],
  overviewSort: { key: "total", descending: true },
  overviewRows: [],
  // A portfolio PDF run is going (the window polls it).
  pdfJob: false,
  // Enter moved on from a question: { key, to, until } so the redrawn
  // questionnaire can take the focus on to a follow-up question.
  advanceAfter: null,
  // Money answers the user kept after the sense check asked ("key=value"
  // of the company-year): the question is asked once, never again for them.
  doubtsKept: new Set(),
};
