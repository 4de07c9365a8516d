// The app's own Tauri commands, one wrapper each. The language is the
// session's (set_lang); no call carries it, but startup_error, which runs
// before there is a session.

const invoke = (cmd, args) => window.__TAURI__.core.invoke(cmd, args);

// Every command fails with one { field, message } object; the message is in
// the chosen language and never repeats the field name.
export function errMessage(e) {
  if (e && typeof e === "object" && typeof e.message === "string") return { field: e.field || "", message: e.message };
  return { field: "", message: String(e) };
}

export const api = {
  startupError: (lang) => invoke("startup_error", { lang }),
  setLang: (lang) => invoke("set_lang", { lang }),
  meta: () => invoke("meta"),
  // companies
  listCompanies: (search) => invoke("list_companies", { search }),
  getCompany: (id) => invoke("get_company", { id }),
  checkUscc: (uscc) => invoke("check_uscc", { uscc }),
  saveCompany: (id, fields) => invoke("save_company", { id, fields }),
  deleteCompany: (id) => invoke("delete_company", { id }),
  exportCompany: (id, name) => invoke("export_company", { id, name }),
  importCompany: () => invoke("import_company"),
  // interview and results
  evaluate: (id, year) => invoke("evaluate", { id, year }),
  coverage: (id, year) => invoke("coverage", { id, year }),
  setFact: (id, year, key, value) => invoke("set_fact", { id, year, key, value }),
  readNumber: (key, text, id, year) => invoke("read_number", { key, text, id: id ?? null, year: year ?? null }),
  copyFacts: (id, from, to) => invoke("copy_facts", { id, from, to }),
  saveEvaluation: (id, year) => invoke("save_evaluation", { id, year }),
  generatePdfs: (id, year) => invoke("generate_pdfs", { id, year }),
  // claims and history
  setClaim: (id, year, clause, status, amount, date, note) => invoke("set_claim", { id, year, clause, status, amount, date, note }),
  claims: (id) => invoke("claims", { id }),
  saveFiling: (id, filing) => invoke("save_filing", { id, filing }),
  filingClauses: (id, year) => invoke("filing_clauses", { id, year }),
  history: (id) => invoke("history", { id }),
  // materials and the packet
  papers: (id, year) => invoke("papers", { id, year }),
  setMaterial: (id, year, clause, item, status) => invoke("set_material", { id, year, clause, item, status }),
  attachEvidence: (id, year, clause, item) => invoke("attach_evidence", { id, year, clause, item }),
  openEvidence: (evidence) => invoke("open_evidence", { evidence }),
  removeEvidence: (id, year, evidence) => invoke("remove_evidence", { id, year, evidence }),
  setDeadline: (id, year, pack, start, end, notice) => invoke("set_deadline", { id, year, pack, start, end, notice }),
  clearDeadline: (id, year, pack) => invoke("clear_deadline", { id, year, pack }),
  generatePacket: (id, year, name) => invoke("generate_packet", { id, year, name }),
  // policy packs
  packsInUse: () => invoke("packs_in_use"),
  pickPackFile: () => invoke("pick_pack_file"),
  importPack: (file, allowUnsigned) => invoke("import_pack", { file, allowUnsigned }),
  diffPack: () => invoke("diff_pack"),
  // the portfolio: overview, spreadsheets, PDFs for many
  overview: (year, sort) => invoke("overview", { year, sort }),
  importSheet: (year) => invoke("import_sheet", { year }),
  saveSheet: () => invoke("save_sheet"),
  discardSheet: () => invoke("discard_sheet"),
  saveTemplate: (city) => invoke("save_template", { city: city || null }),
  exportOverview: (ids, year) => invoke("export_overview", { ids, year }),
  portfolioPdfs: (ids, year) => invoke("portfolio_pdfs", { ids, year }),
  pdfJob: () => invoke("pdf_job"),
  cancelPdfJob: () => invoke("cancel_pdf_job"),
};
