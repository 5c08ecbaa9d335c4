package io.fleetsaga.order.order;

import org.springframework.data.jpa.repository.JpaRepository;

interface FleetOrderRepository extends JpaRepository<FleetOrder, String> {}
