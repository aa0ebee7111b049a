// SQL face of customer lifetime value (docs/clv.md): clv_summary(), the fitting aggregates
// bgnbd_fit, pareto_nbd_fit and gamma_gamma_fit, predictions from a stored model, clv() and
// customer_lifetime_value(). The models live in src/core (bgnbd, pareto_nbd, gamma_gamma,
// clv_value, clv_summary); this file reads arguments, streams orders and makes rows and model
// values.
#include <array>
#include <string>

#include "aggregate_state.hpp"
#include "args.hpp"
#include "bgnbd.hpp"
#include "clv_data.hpp"
#include "clv_summary.hpp"
#include "clv_value.hpp"
#include "customer_index.hpp"
#include "door.hpp"
#include "gamma_gamma.hpp"
#include "inner_query.hpp"
#include "key_column.hpp"
#include "orders_reader.hpp"
#include "pareto_nbd.hpp"
#include "periods.hpp"
#include "srf.hpp"

namespace {

using ca::ExecContext;
using ca::pg::AggregateContext;
using ca::pg::Guard;
using ca::pg::NewAggregateState;
using ca::pg::StateArg;

// ---- Model values ----------------------------------------------------------------------------
// A model is a composite: its N parameters (float8), then log_likelihood, customers, evaluations,
// converged and status (src/sql/clv.sql).

template <int N>
std::array<double, N> ModelArg(FunctionCallInfo fcinfo, int n, const char *type) {
    std::array<double, N> params{};
    double *out = params.data();
    int null_at = 0;
    Guard([&] {
        HeapTupleHeader tuple = PG_GETARG_HEAPTUPLEHEADER(n);
        for (int i = 0; i < N; ++i) {
            bool isnull = false;
            const Datum d = GetAttributeByNum(tuple, static_cast<AttrNumber>(i + 1), &isnull);
            if (isnull && null_at == 0) null_at = i + 1;
            if (!isnull) out[i] = DatumGetFloat8(d);
        }
    });
    if (null_at != 0)
        throw ca::pg::SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                               std::string(type) + " has a null parameter",
                               "Parameter " + std::to_string(null_at) + " is null.",
                               "Pass a model made by the fitting aggregate, or one with every "
                               "parameter set.");
    return params;
}

Datum ModelResult(FunctionCallInfo fcinfo, const ca::ModelFit &fit) {
    const int n = static_cast<int>(fit.params.size());
    const double *params = fit.params.data();
    const double ll = fit.log_likelihood;
    const std::int64_t customers = static_cast<std::int64_t>(fit.customers);
    const int evaluations = fit.evaluations;
    const bool converged = fit.converged;
    const char *status = fit.status.c_str();
    HeapTuple tuple = nullptr;
    Guard([&] {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "a model fit must return a composite type");
        desc = BlessTupleDesc(desc);
        Datum values[9];
        bool nulls[9] = {};
        for (int i = 0; i < n; ++i) values[i] = Float8GetDatum(params[i]);
        values[n] = Float8GetDatum(ll);
        values[n + 1] = Int64GetDatum(customers);
        values[n + 2] = Int32GetDatum(evaluations);
        values[n + 3] = BoolGetDatum(converged);
        values[n + 4] = CStringGetTextDatum(status);
        tuple = heap_form_tuple(desc, values, nulls);
    });
    return HeapTupleGetDatum(tuple);
}

// Fits through `fit` and returns the model, with a WARNING when it did not converge.
template <typename Fit>
Datum FinishFit(FunctionCallInfo fcinfo, const char *function, Fit &&fit_points) {
    ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    const ca::ModelFit fit = fit_points(ctx);
    if (!fit.converged)
        ca::pg::Warning(std::string(function) + " did not converge", "Status: " + fit.status + ".",
                        "The model's converged column is false; do not use its predictions. "
                        "See docs/clv.md, \"When a fit does not converge\".");
    return ModelResult(fcinfo, fit);
}

// ---- Aggregate states: the points of CalibrationPoints (x, t_x, T) or SpendPoints (x, m) ------

template <typename State>
State *StateOrNew(FunctionCallInfo fcinfo, const char *fn) {
    MemoryContext context = AggregateContext(fcinfo, fn);
    State *state = StateArg<State>(fcinfo, 0);
    if (state == nullptr) state = NewAggregateState<State>(context, ca::pg::MemoryLimitBytes());
    return state;
}

template <typename State>
Datum Combine(FunctionCallInfo fcinfo, const char *fn) {
    MemoryContext context = AggregateContext(fcinfo, fn);
    State *into = StateArg<State>(fcinfo, 0);
    const State *from = StateArg<State>(fcinfo, 1);
    if (from == nullptr) {
        if (into == nullptr) PG_RETURN_NULL();
        PG_RETURN_POINTER(into);
    }
    if (into == nullptr) into = NewAggregateState<State>(context, ca::pg::MemoryLimitBytes());
    into->Merge(*from);
    PG_RETURN_POINTER(into);
}

template <typename State>
Datum Deserialize(FunctionCallInfo fcinfo, const char *fn, const char *what) {
    MemoryContext context = AggregateContext(fcinfo, fn);
    PG_RETURN_POINTER(
        ca::pg::DeserializeState<State>(fcinfo, context, what, what, ca::pg::MemoryLimitBytes()));
}

// ---- Reading the orders into summaries --------------------------------------------------------

struct ClvInput {
    ca::pg::OrdersSource source;
    std::unique_ptr<ca::CustomerIndex> index;
    std::unique_ptr<ca::ClvSummaries> orders;
    ca::BudgetVector<ca::ClvCustomer> customers;
    std::int64_t without_purchase = 0;

    explicit ClvInput(ExecContext &ctx) : customers(ca::MakeBudgetVector<ca::ClvCustomer>(ctx)) {}
};

// The calendar day of timestamptz argument n in the session's time zone, as the orders' days are.
std::int32_t DayArg(FunctionCallInfo fcinfo, int n, const char *name) {
    const TimestampTz at = PG_GETARG_TIMESTAMPTZ(n);
    if (TIMESTAMP_NOT_FINITE(at)) throw ca::InvalidParameter(std::string(name) + " must be finite");
    std::int32_t day = 0;
    Guard([&] {
        day = DatumGetDateADT(DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(at)));
    });
    return day;
}

// Streams orders_sql (argument `sql_arg`) into the per-customer summary at as_of (argument
// `as_of_arg`, NULL for the latest purchase day; required with a holdout), in `unit`, with the
// purchases up to the holdout end (argument `holdout_arg`, -1 for none); raises the skipped-rows
// NOTICE for `function`.
void ReadClvInput(FunctionCallInfo fcinfo, ExecContext &ctx, int sql_arg, int as_of_arg,
                  int holdout_arg, double unit_days, const char *function, ClvInput &in) {
    const std::string orders_sql = ca::pg::RequiredTextArg(fcinfo, sql_arg, "orders_sql");
    const bool has_holdout = holdout_arg >= 0;
    if (has_holdout && (PG_ARGISNULL(as_of_arg) || PG_ARGISNULL(holdout_arg)))
        throw ca::pg::SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                               "calibration_end and holdout_end must not be null");
    const bool has_as_of = !PG_ARGISNULL(as_of_arg);
    const std::int32_t as_of_day =
        has_as_of ? DayArg(fcinfo, as_of_arg, has_holdout ? "calibration_end" : "as_of") : 0;
    const std::int32_t holdout_day = has_holdout ? DayArg(fcinfo, holdout_arg, "holdout_end") : 0;
    const std::int32_t last_day = has_holdout ? holdout_day : as_of_day;
    ca::pg::SpiSession spi;
    in.source = ca::pg::DescribeOrders(orders_sql);
    ca::pg::OrdersRead read;
    read.grouped = in.source.has_order_id;
    // Local wall-clock time in the session's time zone: a day is a local calendar day.
    if (in.source.time_type == TIMESTAMPTZOID) read.time = ca::pg::OrderTime::SessionLocal;
    if (has_as_of) {
        // Lines up to the end of as_of's (or the holdout end's) day.
        read.has_bound = true;
        if (in.source.time_type == DATEOID) {
            read.bound_inclusive = true;
            read.bound_type = DATEOID;
            read.bound = DateADTGetDatum(last_day);
        } else {
            read.bound_inclusive = false;
            read.bound_type = TIMESTAMPOID;
            read.bound = TimestampGetDatum(static_cast<Timestamp>(last_day + 1) * USECS_PER_DAY);
        }
    }
    in.index = std::make_unique<ca::CustomerIndex>(ctx, in.source.customer.IndexKind());
    in.orders =
        std::make_unique<ca::ClvSummaries>(ctx, has_as_of, as_of_day, has_holdout, holdout_day);
    ca::pg::ReadOrders(orders_sql, in.source, read, *in.index, *in.orders);
    spi.Finish();
    in.customers = in.orders->Finish(ctx, unit_days);
    in.without_purchase = static_cast<std::int64_t>(in.index->size()) -
                          static_cast<std::int64_t>(in.customers.size());
    ca::pg::ReportSkippedRows(
        function, in.orders->skips(),
        has_holdout ? "ordered after holdout_end's day" : "ordered after as_of's day",
        in.without_purchase,
        has_holdout ? "had no purchase by calibration_end" : "had no purchase by as_of");
}

// customer_id, frequency, recency, t, monetary: the first five columns of every per-customer
// result.
void SummaryColumns(const ca::pg::KeyOutput &customer_out, const ca::CustomerIndex &index,
                    const ca::ClvCustomer &c, Datum *values, bool *nulls) {
    values[0] = customer_out.Make(index, c.customer);
    values[1] = Int64GetDatum(c.frequency);
    values[2] = Float8GetDatum(c.recency);
    values[3] = Float8GetDatum(c.T);
    values[4] = Float8GetDatum(c.monetary);
    nulls[4] = !c.has_monetary;
}

double UnitArg(FunctionCallInfo fcinfo, int n) {
    return ca::ParseTimeUnit(ca::pg::RequiredTextArg(fcinfo, n, "unit"));
}

}  // namespace

// ---- Aggregates --------------------------------------------------------------------------------

// calibration_points_transfn(state, frequency, recency, t): rows with a NULL are left out.
CA_FUNCTION(ca_calibration_points_transfn) {
    auto *state = StateOrNew<ca::CalibrationPoints>(fcinfo, "calibration_points_transfn");
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3)) PG_RETURN_POINTER(state);
    state->Add(ca::CalibrationKey(PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2), PG_GETARG_FLOAT8(3)));
    PG_RETURN_POINTER(state);
}

CA_FUNCTION(ca_calibration_points_combinefn) {
    return Combine<ca::CalibrationPoints>(fcinfo, "calibration_points_combinefn");
}

CA_FUNCTION(ca_calibration_points_serialfn) {
    return ca::pg::SerializeState(*StateArg<ca::CalibrationPoints>(fcinfo, 0));
}

CA_FUNCTION(ca_calibration_points_deserialfn) {
    return Deserialize<ca::CalibrationPoints>(fcinfo, "calibration_points_deserialfn",
                                              "calibration points");
}

// spend_points_transfn(state, frequency, monetary): rows with a NULL, and customers with
// frequency 0, are left out.
CA_FUNCTION(ca_spend_points_transfn) {
    auto *state = StateOrNew<ca::SpendPoints>(fcinfo, "spend_points_transfn");
    if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) PG_RETURN_POINTER(state);
    ca::SpendPoints::Key key;
    if (ca::SpendKey(PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2), key)) state->Add(key);
    PG_RETURN_POINTER(state);
}

CA_FUNCTION(ca_spend_points_combinefn) {
    return Combine<ca::SpendPoints>(fcinfo, "spend_points_combinefn");
}

CA_FUNCTION(ca_spend_points_serialfn) {
    return ca::pg::SerializeState(*StateArg<ca::SpendPoints>(fcinfo, 0));
}

CA_FUNCTION(ca_spend_points_deserialfn) {
    return Deserialize<ca::SpendPoints>(fcinfo, "spend_points_deserialfn", "spend points");
}

CA_FUNCTION(ca_bgnbd_finalfn) {
    auto *state = StateArg<ca::CalibrationPoints>(fcinfo, 0);
    // No rows, or only rows with a NULL: no model (as sum() of nothing is NULL).
    if (state == nullptr || state->total() == 0) PG_RETURN_NULL();
    return FinishFit(fcinfo, "bgnbd_fit",
                     [&](ExecContext &ctx) { return ca::FitBgnbd(ctx, state->Points()); });
}

CA_FUNCTION(ca_pareto_nbd_finalfn) {
    auto *state = StateArg<ca::CalibrationPoints>(fcinfo, 0);
    // No rows, or only rows with a NULL: no model (as sum() of nothing is NULL).
    if (state == nullptr || state->total() == 0) PG_RETURN_NULL();
    return FinishFit(fcinfo, "pareto_nbd_fit",
                     [&](ExecContext &ctx) { return ca::FitParetoNbd(ctx, state->Points()); });
}

CA_FUNCTION(ca_gamma_gamma_finalfn) {
    auto *state = StateArg<ca::SpendPoints>(fcinfo, 0);
    // No rows, or only rows with a NULL: no model (as sum() of nothing is NULL).
    if (state == nullptr || state->total() == 0) PG_RETURN_NULL();
    return FinishFit(fcinfo, "gamma_gamma_fit",
                     [&](ExecContext &ctx) { return ca::FitGammaGamma(ctx, state->Points()); });
}

// ---- Predictions from a stored model (STRICT: a NULL argument gives NULL) ----------------------

namespace {

ca::BgnbdParams Bgnbd(FunctionCallInfo fcinfo, int n) {
    const auto p = ModelArg<4>(fcinfo, n, "bgnbd_model");
    return {p[0], p[1], p[2], p[3]};
}

ca::ParetoNbdParams ParetoNbd(FunctionCallInfo fcinfo, int n) {
    const auto p = ModelArg<4>(fcinfo, n, "pareto_nbd_model");
    return {p[0], p[1], p[2], p[3]};
}

ca::GammaGammaParams GammaGamma(FunctionCallInfo fcinfo, int n) {
    const auto p = ModelArg<3>(fcinfo, n, "gamma_gamma_model");
    return {p[0], p[1], p[2]};
}

}  // namespace

// bgnbd_expected_purchases(model, t, frequency, recency, T)
CA_FUNCTION(ca_bgnbd_expected_purchases) {
    PG_RETURN_FLOAT8(ca::BgnbdExpectedPurchases(Bgnbd(fcinfo, 0), PG_GETARG_FLOAT8(1),
                                                PG_GETARG_FLOAT8(2), PG_GETARG_FLOAT8(3),
                                                PG_GETARG_FLOAT8(4)));
}

// bgnbd_expected_purchases(model, t): a new customer
CA_FUNCTION(ca_bgnbd_expected_purchases_new) {
    PG_RETURN_FLOAT8(ca::BgnbdExpectedPurchasesNew(Bgnbd(fcinfo, 0), PG_GETARG_FLOAT8(1)));
}

// bgnbd_p_alive(model, frequency, recency, T)
CA_FUNCTION(ca_bgnbd_p_alive) {
    PG_RETURN_FLOAT8(ca::BgnbdProbabilityAlive(Bgnbd(fcinfo, 0), PG_GETARG_FLOAT8(1),
                                               PG_GETARG_FLOAT8(2), PG_GETARG_FLOAT8(3)));
}

CA_FUNCTION(ca_pareto_nbd_expected_purchases) {
    PG_RETURN_FLOAT8(ca::ParetoNbdExpectedPurchases(ParetoNbd(fcinfo, 0), PG_GETARG_FLOAT8(1),
                                                    PG_GETARG_FLOAT8(2), PG_GETARG_FLOAT8(3),
                                                    PG_GETARG_FLOAT8(4)));
}

CA_FUNCTION(ca_pareto_nbd_expected_purchases_new) {
    PG_RETURN_FLOAT8(ca::ParetoNbdExpectedPurchasesNew(ParetoNbd(fcinfo, 0), PG_GETARG_FLOAT8(1)));
}

CA_FUNCTION(ca_pareto_nbd_p_alive) {
    PG_RETURN_FLOAT8(ca::ParetoNbdProbabilityAlive(ParetoNbd(fcinfo, 0), PG_GETARG_FLOAT8(1),
                                                   PG_GETARG_FLOAT8(2), PG_GETARG_FLOAT8(3)));
}

// gamma_gamma_expected_spend(model, frequency, monetary)
CA_FUNCTION(ca_gamma_gamma_expected_spend) {
    PG_RETURN_FLOAT8(ca::GammaGammaExpectedSpend(GammaGamma(fcinfo, 0), PG_GETARG_FLOAT8(1),
                                                 PG_GETARG_FLOAT8(2)));
}

namespace {

ca::ClvHorizon HorizonArgs(FunctionCallInfo fcinfo, int first) {
    return {PG_GETARG_INT32(first), PG_GETARG_FLOAT8(first + 1), PG_GETARG_FLOAT8(first + 2)};
}

}  // namespace

// clv(model, spend_model, frequency, recency, T, monetary, horizon, period_length, discount_rate)
CA_FUNCTION(ca_bgnbd_clv) {
    const ca::BgnbdParams p = Bgnbd(fcinfo, 0);
    const ca::GammaGammaParams g = GammaGamma(fcinfo, 1);
    const double x = PG_GETARG_FLOAT8(2), t_x = PG_GETARG_FLOAT8(3), T = PG_GETARG_FLOAT8(4);
    const double spend = ca::GammaGammaExpectedSpend(g, x, PG_GETARG_FLOAT8(5));
    ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    PG_RETURN_FLOAT8(ca::DiscountedValue(
        ctx, [&](double t) { return ca::BgnbdExpectedPurchases(p, t, x, t_x, T); }, spend,
        HorizonArgs(fcinfo, 6)));
}

CA_FUNCTION(ca_pareto_nbd_clv) {
    const ca::ParetoNbdParams p = ParetoNbd(fcinfo, 0);
    const ca::GammaGammaParams g = GammaGamma(fcinfo, 1);
    const double x = PG_GETARG_FLOAT8(2), t_x = PG_GETARG_FLOAT8(3), T = PG_GETARG_FLOAT8(4);
    const double spend = ca::GammaGammaExpectedSpend(g, x, PG_GETARG_FLOAT8(5));
    ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    PG_RETURN_FLOAT8(ca::DiscountedValue(
        ctx, [&](double t) { return ca::ParetoNbdExpectedPurchases(p, t, x, t_x, T); }, spend,
        HorizonArgs(fcinfo, 6)));
}

// ---- Set-returning functions
// ---------------------------------------------------------------------

// clv_summary(id_type, orders_sql, as_of, unit)
CA_FUNCTION(ca_clv_summary) {
    const double unit_days = UnitArg(fcinfo, 3);
    ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    ClvInput in(ctx);
    ReadClvInput(fcinfo, ctx, 1, 2, -1, unit_days, "clv_summary", in);
    const ca::pg::KeyOutput customer_out(in.source.customer, ca::pg::ResultColumnType(fcinfo, 1),
                                         "customer_id", "id_type");
    ca::pg::ResultWriter out(fcinfo);
    const ca::CustomerIndex &index = *in.index;
    for (const ca::ClvCustomer &c : in.customers) {
        out.Row<5>([&](Datum *values, bool *nulls) {
            SummaryColumns(customer_out, index, c, values, nulls);
        });
    }
    return (Datum)0;
}

// customer_lifetime_value(id_type, orders_sql, as_of, horizon, discount_rate, unit, model,
//                         period)
CA_FUNCTION(ca_customer_lifetime_value) {
    const double unit_days = UnitArg(fcinfo, 5);
    const std::string model_name = ca::pg::RequiredTextArg(fcinfo, 6, "model");
    ca::PurchaseModel::IsBgnbd(model_name);  // checks the name before reading
    if (PG_ARGISNULL(3) || PG_ARGISNULL(4) || PG_ARGISNULL(7))
        throw ca::pg::SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                               "horizon, discount_rate and period must not be null");
    // The period's length in days as PostgreSQL's interval arithmetic counts it (EXTRACT(EPOCH):
    // a month is 30 days, a year 365.25), then in units.
    double period_seconds = 0;
    Guard([&] {
        period_seconds = DatumGetFloat8(
            DirectFunctionCall2(interval_part, CStringGetTextDatum("epoch"), PG_GETARG_DATUM(7)));
    });
    const ca::ClvHorizon horizon{PG_GETARG_INT32(3), period_seconds / 86400.0 / unit_days,
                                 PG_GETARG_FLOAT8(4)};
    ca::CheckClvHorizon(horizon);

    ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    ClvInput in(ctx);
    ReadClvInput(fcinfo, ctx, 1, 2, -1, unit_days, "customer_lifetime_value", in);
    const ca::PurchaseModel model(ctx, model_name, ca::CalibrationPointsOf(ctx, in.customers));
    std::int64_t zero_spend = 0;
    const ca::GammaGammaParams g =
        ca::FitSpendModel(ctx, ca::SpendPointsOf(ctx, in.customers, zero_spend));
    if (zero_spend > 0)
        ca::pg::Notice("customer_lifetime_value left " + std::to_string(zero_spend) +
                           " repeat customers out of the Gamma-Gamma fit",
                       "Their repeat purchases have a total value of 0; the model describes "
                       "positive spend. Their expected spend is still predicted.");

    const ca::pg::KeyOutput customer_out(in.source.customer, ca::pg::ResultColumnType(fcinfo, 1),
                                         "customer_id", "id_type");
    ca::pg::ResultWriter out(fcinfo);
    const ca::CustomerIndex &index = *in.index;
    for (const ca::ClvCustomer &c : in.customers) {
        const double x = static_cast<double>(c.frequency);
        // One captured pointer: the std::function holds it without allocating, row after row.
        const struct {
            const ca::PurchaseModel &model;
            double x, t_x, T;
        } history{model, x, c.recency, c.T};
        const auto *h = &history;
        auto expected = [h](double t) { return h->model.Expected(t, h->x, h->t_x, h->T); };
        const double p_alive = model.ProbabilityAlive(x, c.recency, c.T);
        const double spend_each =
            ca::GammaGammaExpectedSpend(g, x, c.has_monetary ? c.monetary : 0);
        double purchases = 0;  // E over the whole horizon, from the same evaluations
        const double value = ca::DiscountedValue(ctx, expected, spend_each, horizon, &purchases);
        out.Row<9>([&](Datum *values, bool *nulls) {
            SummaryColumns(customer_out, index, c, values, nulls);
            values[5] = Float8GetDatum(p_alive);
            values[6] = Float8GetDatum(purchases);
            values[7] = Float8GetDatum(spend_each);
            values[8] = Float8GetDatum(value);
        });
    }
    return (Datum)0;
}

// clv_holdout(id_type, orders_sql, calibration_end, holdout_end, unit, model)
CA_FUNCTION(ca_clv_holdout) {
    const double unit_days = UnitArg(fcinfo, 4);
    const std::string model_name = ca::pg::RequiredTextArg(fcinfo, 5, "model");
    ca::PurchaseModel::IsBgnbd(model_name);
    ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    ClvInput in(ctx);
    ReadClvInput(fcinfo, ctx, 1, 2, 3, unit_days, "clv_holdout", in);
    const ca::PurchaseModel model(ctx, model_name, ca::CalibrationPointsOf(ctx, in.customers));
    const double length =
        static_cast<double>(in.orders->holdout_end_day() - in.orders->as_of_day()) / unit_days;
    const ca::pg::KeyOutput customer_out(in.source.customer, ca::pg::ResultColumnType(fcinfo, 1),
                                         "customer_id", "id_type");
    ca::pg::ResultWriter out(fcinfo);
    const ca::CustomerIndex &index = *in.index;
    for (const ca::ClvCustomer &c : in.customers) {
        const double expected =
            model.Expected(length, static_cast<double>(c.frequency), c.recency, c.T);
        out.Row<8>([&](Datum *values, bool *nulls) {
            SummaryColumns(customer_out, index, c, values, nulls);
            values[5] = Float8GetDatum(length);
            values[6] = Int64GetDatum(c.holdout_purchases);
            values[7] = Float8GetDatum(expected);
        });
    }
    return (Datum)0;
}

// clv_tracking(orders_sql, calibration_end, holdout_end, unit, model)
CA_FUNCTION(ca_clv_tracking) {
    const double unit_days = UnitArg(fcinfo, 3);
    const std::string model_name = ca::pg::RequiredTextArg(fcinfo, 4, "model");
    ca::PurchaseModel::IsBgnbd(model_name);
    ExecContext ctx(ca::pg::MemoryLimitBytes(), ca::pg::InterruptHook);
    ClvInput in(ctx);
    ReadClvInput(fcinfo, ctx, 0, 1, 2, unit_days, "clv_tracking", in);
    const ca::PurchaseModel model(ctx, model_name, ca::CalibrationPointsOf(ctx, in.customers));
    const auto periods =
        in.orders->Track(ctx, unit_days, [&](double t) { return model.ExpectedNew(t); });
    ca::pg::ResultWriter out(fcinfo);
    std::int64_t actual_total = 0;
    double expected_total = 0;
    for (const ca::TrackingPeriod &p : periods) {
        actual_total += p.actual;
        expected_total += p.expected;
        out.Row<7>([&](Datum *values, bool *) {
            values[0] = Int32GetDatum(p.period);
            values[1] = DateADTGetDatum(p.first_day);
            values[2] = BoolGetDatum(p.holdout);
            values[3] = Int64GetDatum(p.actual);
            values[4] = Float8GetDatum(p.expected);
            values[5] = Int64GetDatum(actual_total);
            values[6] = Float8GetDatum(expected_total);
        });
    }
    return (Datum)0;
}
