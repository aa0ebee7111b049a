# The arules side of bench/recommend.sh (R_LIBS must hold arules 1.7-10): what an arules user
# does for "also bought". Usage:
#
#   Rscript recommend_arules.R LINES BASKETS SUPPORT REPEAT
#
# LINES: one "order<TAB>item" line per distinct item of a basket (the script exports them from
# the table); BASKETS: "id<TAB>item" lines of the baskets to answer. Mines the rules once with
# apriori(supp = SUPPORT, conf = 0, minlen = 2) and times it; then answers every basket from the
# rules object in memory, REPEAT times timed after one untimed pass: the rules whose lhs is a
# subset of the basket (is.subset) and whose rhs is not in it, the best per rhs item (confidence,
# lift, the shorter lhs), the first 10 by confidence, lift and item. Prints "mine <seconds>
# <rules>", "answer <seconds per basket>..." and one "list <id> <items>" line per basket.
suppressPackageStartupMessages(library(arules))
args <- commandArgs(trailingOnly = TRUE)
trans <- read.transactions(args[1], format = "single", sep = "\t", cols = c(1, 2), quote = "")
b <- read.table(args[2], sep = "\t", colClasses = "character", col.names = c("id", "item"))
baskets <- split(b$item, b$id)
support <- as.numeric(args[3])
repeat_n <- as.integer(args[4])

mine_s <- system.time(rules <- apriori(trans, parameter = list(supp = support, conf = 0, minlen = 2,
                                                               target = "rules"),
                                       control = list(verbose = FALSE)))[["elapsed"]]
cat("mine", mine_s, length(rules), "\n")

lhs_m <- lhs(rules)
lhs_size <- size(lhs_m)
rhs_item <- unlist(LIST(rhs(rules), decode = TRUE))
q <- quality(rules)
labels <- itemLabels(rules)

recommend <- function(basket) {
  known <- basket[basket %in% labels]
  if (length(known) == 0) return(character(0))
  bm <- encode(list(known), labels)
  keep <- as.vector(is.subset(lhs_m, bm, sparse = FALSE)) & !(rhs_item %in% basket)
  c <- data.frame(item = rhs_item[keep], confidence = q$confidence[keep], lift = q$lift[keep],
                  size = lhs_size[keep], stringsAsFactors = FALSE)
  c <- c[order(-c$confidence, -c$lift, c$size), ]
  c <- c[!duplicated(c$item), ]
  c <- c[order(-c$confidence, -c$lift, as.numeric(c$item)), ]
  head(c$item, 10)
}

invisible(lapply(baskets, recommend))  # warm-up
times <- replicate(repeat_n, system.time(lists <<- lapply(baskets, recommend))[["elapsed"]])
cat("answer", times / length(baskets), "\n")
for (id in names(lists)) cat("list", id, paste(lists[[id]], collapse = ","), "\n")
