# The arules side of bench/basket.sh (R_LIBS must hold arules 1.7-10). Two modes:
#
#   Rscript basket_arules.R time LINES RDS REPEAT SUPPORT...
#     reads the baskets from LINES (one "order<TAB>item" line per distinct item of a basket, as
#     the script exports them from the table), saves the transactions object to RDS, then per
#     support and algorithm mines once untimed and REPEAT times timed with system.time (the
#     mining call only). Prints "<algo> <support> <itemsets> <seconds>...".
#
#   Rscript basket_arules.R peak RDS ALGO SUPPORT
#     in this fresh process: the transactions from RDS, gc(), then one mining call between two
#     readings of /proc/self/status. Before the call the peak (VmHWM) is reset to the current
#     resident size by writing 5 to /proc/self/clear_refs (Linux; where that is refused, the
#     script reports a bound instead). Prints "peak <itemsets>", then VmRSS, VmHWM, RssShmem and
#     RssFile before and VmHWM, RssShmem and RssFile after the call, in kB.
suppressPackageStartupMessages(library(arules))
args <- commandArgs(trailingOnly = TRUE)

mine <- function(trans, algo, s) {
  p <- list(supp = s, target = "frequent itemsets", maxlen = 10)
  if (algo == "apriori") apriori(trans, parameter = p, control = list(verbose = FALSE))
  else eclat(trans, parameter = p, control = list(verbose = FALSE))
}

status_kb <- function(keys) {
  lines <- readLines("/proc/self/status")
  vapply(keys, function(k) {
    line <- grep(paste0("^", k, ":"), lines, value = TRUE)
    if (length(line) == 1) as.numeric(sub("^[^0-9]*([0-9]+).*$", "\\1", line)) else NA_real_
  }, numeric(1))
}

if (args[1] == "time") {
  trans <- read.transactions(args[2], format = "single", sep = "\t", cols = c(1, 2), quote = "")
  saveRDS(trans, args[3])
  repeat_n <- as.integer(args[4])
  for (s in as.numeric(args[-(1:4)])) {
    for (algo in c("apriori", "eclat")) {
      n <- length(mine(trans, algo, s))  # warm-up
      times <- replicate(repeat_n, system.time(r <- mine(trans, algo, s))[["elapsed"]])
      cat(algo, s, n, times, "\n")
    }
  }
} else if (args[1] == "peak") {
  trans <- readRDS(args[2])
  invisible(gc())
  try(writeLines("5", "/proc/self/clear_refs"), silent = TRUE)
  before <- status_kb(c("VmRSS", "VmHWM", "RssShmem", "RssFile"))
  r <- mine(trans, args[3], as.numeric(args[4]))
  after <- status_kb(c("VmHWM", "RssShmem", "RssFile"))
  cat("peak", length(r), before, after, "\n")
} else {
  stop("usage: basket_arules.R time LINES RDS REPEAT SUPPORT... | peak RDS ALGO SUPPORT")
}
